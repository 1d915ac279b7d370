import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { WindowRow } from '../../src/storage/schema.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import {
  arrangeCancelledWindow,
  arrangeDisruption,
  arrangeDisruptionUpdate,
  arrangeNotice,
  arrangeWindow,
  local,
  PUBLIC_BASE_URL,
  startPublicApi,
  type PublicTestApi,
} from './public-fixtures.js';
import { STATUSPAGE_SCHEMAS, type StatuspagePath } from '../../src/publications/statuspage-schema.js';

const PATHS = Object.keys(STATUSPAGE_SCHEMAS) as StatuspagePath[];

/**
 * The Statuspage-compatible status through a planned window's life and a disruption's:
 * every answer is checked field by field against the documented shapes, at every step.
 */
describe.each(testBackends)('the Statuspage API v2 on $name', (backend) => {
  let database: TestDatabase;
  let api: PublicTestApi;
  let window: WindowRow;
  let cancelled: WindowRow;
  let disruptionId: string;

  /** Reads one path as a Statuspage client would, and holds it to the documented shape. */
  async function read<P extends StatuspagePath>(path: P): Promise<z.infer<(typeof STATUSPAGE_SCHEMAS)[P]>> {
    const response = await api.get(`/public/api/v2/${path}`);
    expect(response.status, path).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const parsed = STATUSPAGE_SCHEMAS[path].safeParse(JSON.parse(response.text));
    expect(parsed.error?.issues ?? [], `${path} against the documented shape`).toEqual([]);
    return parsed.data! as z.infer<(typeof STATUSPAGE_SCHEMAS)[P]>;
  }

  async function readAll() {
    for (const path of PATHS) await read(path);
  }

  const statuses = (components: { id: string; status: string }[]) => Object.fromEntries(components.map((c) => [c.id, c.status]));

  beforeAll(async () => {
    database = await backend.open();
    const db = database.db;
    // A Tes window told to the public on 19 March: CareApp depends on Tes, so it is down too.
    window = await arrangeWindow(db, { title: 'Uppgradering av Tes', systems: ['tes'], start_at: local('2027-03-30T09:00'), end_at: local('2027-03-30T12:00') });
    await arrangeNotice(db, window, { sentAt: local('2027-03-19T08:00') });
    cancelled = await arrangeCancelledWindow(
      db,
      { title: 'Byte av låsservrar', systems: ['carelock'], start_at: local('2027-03-31T09:00'), end_at: local('2027-03-31T11:00') },
      { announcedAt: '2027-03-15T08:00', cancelledAt: '2027-03-20T08:00' },
    );
    // Never told: absent everywhere.
    const unpublished = await arrangeWindow(db, { title: 'Inte publicerat än', start_at: local('2027-06-15T09:00'), end_at: local('2027-06-15T12:00') });
    await arrangeNotice(db, unpublished);
    // A CareLock disruption during the Tes window, its whole life recorded ahead; each step reads it as of its instant.
    disruptionId = await arrangeDisruption(db, { title: 'Låsen svarar inte', systems: ['carelock'], at: '2027-03-30T10:30', message: 'Vi undersöker varför låsen inte svarar.' });
    await arrangeDisruptionUpdate(db, disruptionId, 'monitoring', 'Servern är omstartad. Vi bevakar.', '2027-03-30T11:00');
    await arrangeDisruptionUpdate(db, disruptionId, 'resolved', 'Låsen fungerar igen.', '2027-03-30T11:30');
    api = await startPublicApi(db, '2027-03-22T10:00');
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('when the window is told and ahead, then every path has the documented shape and the window is upcoming with its systems operational', async () => {
    api.setNow('2027-03-22T10:00');
    await readAll();
    const upcoming = await read('scheduled-maintenances/upcoming.json');
    expect(upcoming.page).toEqual({
      id: 'driftstopp',
      name: 'Driftinformation – Örebro kommun',
      url: `${PUBLIC_BASE_URL}/public/driftstopp`,
      time_zone: 'Europe/Stockholm',
      updated_at: '2027-03-20T08:05:00.000+01:00',
    });
    expect(upcoming.scheduled_maintenances).toHaveLength(1);
    const [maintenance] = upcoming.scheduled_maintenances;
    expect(maintenance).toMatchObject({
      id: window.id,
      name: 'Uppgradering av Tes',
      status: 'scheduled',
      impact: 'maintenance',
      scheduled_for: '2027-03-30T09:00:00.000+02:00',
      scheduled_until: '2027-03-30T12:00:00.000+02:00',
      created_at: '2027-03-19T08:00:00.000+01:00',
      resolved_at: null,
      shortlink: `${PUBLIC_BASE_URL}/public/driftstopp#driftstopp-${window.id}`,
    });
    expect(maintenance!.components.map((c) => [c.id, c.status])).toEqual([
      ['tes', 'operational'],
      ['careapp', 'operational'],
    ]);
    expect(maintenance!.incident_updates.map((u) => u.status)).toEqual(['scheduled']);
    expect(maintenance!.incident_updates[0]!.body).toMatch(/^Planerat underhåll av Tes \(och därmed CareApp\) tisdag 30 mars 2027 kl\. 09\.00–12\.00\./);

    const summary = await read('summary.json');
    expect(statuses(summary.components)).toEqual({ tes: 'operational', careapp: 'operational', carelock: 'operational' });
    expect(summary.components.map((c) => [c.name, c.position, c.description])).toEqual([
      ['Tes', 1, 'Verksamhetssystemet för vård och omsorg'],
      ['CareApp', 2, 'Mobilappen för personalen'],
      ['CareLock', 3, 'Digitala lås hos brukarna'],
    ]);
    expect(summary.status).toEqual({ indicator: 'none', description: 'Alla system är i drift' });
    expect(summary.scheduled_maintenances.map((m) => m.id)).toEqual([window.id]);
    expect(summary.incidents).toEqual([]);
    expect((await read('scheduled-maintenances/active.json')).scheduled_maintenances).toEqual([]);
    // The cancelled window: completed, with the cancellation as its last word; not upcoming.
    const all = await read('scheduled-maintenances.json');
    const gone = all.scheduled_maintenances.find((m) => m.id === cancelled.id)!;
    expect(gone).toMatchObject({ status: 'completed', resolved_at: '2027-03-20T08:05:00.000+01:00' });
    expect(gone.incident_updates[0]).toMatchObject({ status: 'completed' });
    expect(gone.incident_updates[0]!.body).toMatch(/^Inställt\. .* Orsak: Leverantören är inte klar$/);
    expect(JSON.stringify(all)).not.toContain('Inte publicerat än');
  });

  it('when the window has started, then it is in progress and its systems are under maintenance', async () => {
    api.setNow('2027-03-30T10:00');
    await readAll();
    const active = await read('scheduled-maintenances/active.json');
    expect(active.scheduled_maintenances.map((m) => [m.id, m.status])).toEqual([[window.id, 'in_progress']]);
    const [maintenance] = active.scheduled_maintenances;
    expect(maintenance!.incident_updates.map((u) => u.status)).toEqual(['in_progress', 'scheduled']);
    expect(maintenance!.incident_updates[0]).toMatchObject({
      created_at: '2027-03-30T09:00:00.000+02:00',
      affected_components: [
        { code: 'tes', name: 'Tes', old_status: 'operational', new_status: 'under_maintenance' },
        { code: 'careapp', name: 'CareApp', old_status: 'operational', new_status: 'under_maintenance' },
      ],
    });
    expect((await read('scheduled-maintenances/upcoming.json')).scheduled_maintenances).toEqual([]);
    const summary = await read('summary.json');
    expect(statuses(summary.components)).toEqual({ tes: 'under_maintenance', careapp: 'under_maintenance', carelock: 'operational' });
    expect(summary.components.find((c) => c.id === 'tes')!.updated_at).toBe('2027-03-30T09:00:00.000+02:00');
    expect(summary.status).toEqual({ indicator: 'maintenance', description: 'Planerat underhåll pågår i Tes och CareApp' });
    expect((await read('components.json')).components).toEqual(summary.components);
  });

  it('when a disruption is registered, then it is an unresolved incident and its system is in major outage', async () => {
    api.setNow('2027-03-30T10:45');
    await readAll();
    const unresolved = await read('incidents/unresolved.json');
    expect(unresolved.incidents).toHaveLength(1);
    expect(unresolved.incidents[0]).toMatchObject({
      id: disruptionId,
      name: 'Låsen svarar inte',
      status: 'investigating',
      impact: 'critical',
      created_at: '2027-03-30T10:30:00.000+02:00',
      monitoring_at: null,
      resolved_at: null,
      components: [expect.objectContaining({ id: 'carelock', status: 'major_outage' })],
    });
    expect(unresolved.incidents[0]!.incident_updates.map((u) => [u.status, u.body])).toEqual([['investigating', 'Vi undersöker varför låsen inte svarar.']]);
    const summary = await read('summary.json');
    expect(statuses(summary.components)).toEqual({ tes: 'under_maintenance', careapp: 'under_maintenance', carelock: 'major_outage' });
    expect(summary.status).toEqual({ indicator: 'major', description: 'Driftstörning i CareLock' });
    expect(summary.incidents.map((i) => i.id)).toEqual([disruptionId]);

    const page = (await api.get('/public/driftstopp')).text;
    expect(page).toContain('<li id="system-carelock"><span class="name">CareLock</span> <span class="state major_outage">Driftstörning</span></li>');
    expect(page).toContain('<li id="system-tes"><span class="name">Tes</span> <span class="state under_maintenance">Planerat underhåll pågår</span></li>');
    expect(page).toContain('<h2 id="driftstorningar">Pågående driftstörningar</h2>');
  });

  it('when the disruption is resolved, then its system is operational again in summary.json and on the page, and the incident is resolved', async () => {
    api.setNow('2027-03-30T11:45');
    await readAll();
    expect((await read('incidents/unresolved.json')).incidents).toEqual([]);
    const summary = await read('summary.json');
    expect(statuses(summary.components)).toEqual({ tes: 'under_maintenance', careapp: 'under_maintenance', carelock: 'operational' });
    expect(summary.components.find((c) => c.id === 'carelock')!.updated_at).toBe('2027-03-30T11:30:00.000+02:00');
    expect(summary.incidents).toEqual([]);
    const [incident] = (await read('incidents.json')).incidents;
    expect(incident).toMatchObject({ id: disruptionId, status: 'resolved', monitoring_at: '2027-03-30T11:00:00.000+02:00', resolved_at: '2027-03-30T11:30:00.000+02:00' });
    expect(incident!.incident_updates.map((u) => u.status)).toEqual(['resolved', 'monitoring', 'investigating']);
    expect(incident!.incident_updates[0]!.affected_components).toEqual([{ code: 'carelock', name: 'CareLock', old_status: 'major_outage', new_status: 'operational' }]);

    const page = (await api.get('/public/driftstopp')).text;
    expect(page).toContain('<li id="system-carelock"><span class="name">CareLock</span> <span class="state operational">I drift</span></li>');
    expect(page).not.toContain('Pågående driftstörningar');
    const history = page.slice(page.indexOf('<h2 id="tidigare">'));
    expect(history).toContain('<strong>Låsen svarar inte</strong>');
    expect(history).toContain('tisdag 30 mars 2027 kl. 10.30–11.30. Löst.');
  });

  it('when the window has ended, then it is completed and every system is operational', async () => {
    api.setNow('2027-03-30T12:00');
    await readAll();
    const summary = await read('summary.json');
    expect(statuses(summary.components)).toEqual({ tes: 'operational', careapp: 'operational', carelock: 'operational' });
    expect(summary.status.indicator).toBe('none');
    expect(summary.scheduled_maintenances).toEqual([]);
    expect((await read('scheduled-maintenances/active.json')).scheduled_maintenances).toEqual([]);
    const done = (await read('scheduled-maintenances.json')).scheduled_maintenances.find((m) => m.id === window.id)!;
    expect(done).toMatchObject({ status: 'completed', resolved_at: '2027-03-30T12:00:00.000+02:00', updated_at: '2027-03-30T12:00:00.000+02:00' });
    expect(done.incident_updates.map((u) => u.status)).toEqual(['completed', 'in_progress', 'scheduled']);
    expect(done.incident_updates[0]!.affected_components?.map((c) => [c.code, c.old_status, c.new_status])).toEqual([
      ['tes', 'under_maintenance', 'operational'],
      ['careapp', 'under_maintenance', 'operational'],
    ]);
  });

  // The page is left out: its "Vem ringer jag nu?" box names the minute it answers for.
  it('when minutes pass and nothing changes, then every answer, the feeds included, keeps its bytes and ETag', async () => {
    const paths = [...PATHS.map((p) => `/public/api/v2/${p}`), '/public/driftstopp.ics', '/public/driftstopp.atom', '/public/driftstopp.json'];
    const tags = async () => Promise.all(paths.map(async (path) => (await api.get(path)).headers.get('etag')));
    api.setNow('2027-03-30T10:31');
    const before = await tags();
    api.setNow('2027-03-30T10:44');
    expect(await tags()).toEqual(before);
  });

  it.each(PATHS)('then %s answers a matching If-None-Match with an empty 304, as the feeds do', async (path) => {
    api.setNow('2027-03-30T10:45');
    const first = await api.get(`/public/api/v2/${path}`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=60');
    expect(first.headers.get('access-control-allow-origin')).toBe('*');
    expect(first.headers.get('last-modified')).toBe(local('2027-03-30T10:30').toUTCString());
    const cached = await api.get(`/public/api/v2/${path}`, { 'if-none-match': etag });
    expect(cached.status).toBe(304);
    expect(cached.text).toBe('');
    api.setNow('2027-03-30T11:45');
    const changed = await api.get(`/public/api/v2/${path}`, { 'if-none-match': etag });
    // The resolution moves the page's updated_at, which every path carries.
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });
});
