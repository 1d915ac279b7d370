import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../support/database.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { STATUSPAGE_SCHEMAS } from '../../src/publications/statuspage-schema.js';

/**
 * Issue 14's done-when, through the whole service: a disruption registered and updated with
 * the API shows in summary.json and on the page at once, and `resolved` sets its system back
 * to operational in both.
 */
describe.each(testBackends)('a disruption through the API, in summary.json and on the page, on $name', (backend) => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack(backend);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const summary = async () => {
    const response = await stack.api.request('GET', '/public/api/v2/summary.json', { token: null });
    expect(response.status).toBe(200);
    const parsed = STATUSPAGE_SCHEMAS['summary.json'].safeParse(response.body);
    expect(parsed.error?.issues ?? []).toEqual([]);
    return parsed.data!;
  };
  const carelock = async () => (await summary()).components.find((c) => c.id === 'carelock')!.status;
  const page = async () => (await stack.api.request('GET', '/public/driftstopp', { token: null })).body as string;
  const CARELOCK_DOWN = '<li id="system-carelock"><span class="name">CareLock</span> <span class="state major_outage">Driftstörning</span></li>';
  const CARELOCK_UP = '<li id="system-carelock"><span class="name">CareLock</span> <span class="state operational">I drift</span></li>';

  it('when a disruption is registered, updated and resolved, then summary.json and the page follow it and CareLock is operational again', async () => {
    expect(await carelock()).toBe('operational');
    const created = await stack.api.request('POST', '/api/disruptions', {
      body: { title: 'Låsen svarar inte', systems: ['carelock'], description: 'Dörrarna går inte att öppna med CareApp.' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    // Answers are reused for up to a second: the change shows within it.
    await eventually(carelock, (status) => status === 'major_outage', 5000);
    const down = await summary();
    expect(down.incidents.map((i) => [i.id, i.status, i.impact])).toEqual([[id, 'investigating', 'critical']]);
    expect(down.status.indicator).toBe('major');
    await eventually(page, (html) => html.includes(CARELOCK_DOWN) && html.includes('Låsen svarar inte'), 5000);

    const monitoring = await stack.api.request('POST', `/api/disruptions/${id}/updates`, { body: { status: 'monitoring', message: 'Servern är omstartad. Vi bevakar.' } });
    expect(monitoring.status).toBe(200);
    await eventually(summary, (s) => s.incidents[0]?.status === 'monitoring', 5000);
    expect(await carelock()).toBe('major_outage');

    const resolved = await stack.api.request('POST', `/api/disruptions/${id}/updates`, { body: { status: 'resolved', message: 'Låsen fungerar igen.' } });
    expect(resolved.status).toBe(200);
    await eventually(carelock, (status) => status === 'operational', 5000);
    const up = await summary();
    expect(up.incidents).toEqual([]);
    expect(up.status).toEqual({ indicator: 'none', description: 'Alla system är i drift' });
    const html = await eventually(page, (text) => text.includes(CARELOCK_UP), 5000);
    expect(html).not.toContain('Pågående driftstörningar');
    expect(html.slice(html.indexOf('<h2 id="tidigare">'))).toContain('<strong>Låsen svarar inte</strong>');

    const incidents = (await stack.api.request('GET', '/public/api/v2/incidents.json', { token: null })).body;
    expect(incidents.incidents[0]).toMatchObject({ id, status: 'resolved', resolved_at: expect.any(String), monitoring_at: expect.any(String) });
    expect(incidents.incidents[0].incident_updates.map((u: { status: string }) => u.status)).toEqual(['resolved', 'monitoring', 'investigating']);
  });
});
