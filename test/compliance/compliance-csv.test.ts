import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type TestDatabase } from '../support/database.js';
import { changeWindow, createWindow } from '../../src/windows/window-service.js';
import { markSent, minutesAfter, startComplianceApi, type ComplianceTestApi } from './compliance-test-app.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const HEADER = [
  'fönster', 'titel', 'system', 'start', 'slut', 'status', 'målgrupp', 'typ', 'senast enligt regel',
  'planerat', 'skickat', 'i tid', 'bedömning', 'orsak', 'skickade', 'misslyckade', 'i flödena', 'gäller', 'sekunder till mottagarna',
  'bekräftat förberedda', 'andel bekräftade',
];
const INJECTION = '=HYPERLINK("http://x")';

/** Reads the CSV back as Swedish Excel would: `;` between fields, BOM stripped. */
const rowsOf = (bytes: Buffer) => parse(bytes, { bom: true, delimiter: ';' }) as string[][];

describe.each(testBackends)('compliance CSV on $name', (backend) => {
  let database: TestDatabase;
  let api: ComplianceTestApi;
  let windowId: string;
  beforeAll(async () => {
    database = await backend.open();
    api = await startComplianceApi(database.db);
    const window = await createWindow(
      api.service,
      {
        title: INJECTION,
        systems: ['tes', 'careapp'],
        kind: 'minor',
        start: DateTime.fromISO('2027-03-16T09:00:00+01:00'),
        end: DateTime.fromISO('2027-03-16T12:00:00+01:00'),
      },
      '@admin',
    );
    windowId = window.id;
    await markSent(database.db, windowId, (n) => (n.audience === 'managers' && n.kind === 'announcement' ? minutesAfter(n.due_at, 3) : null));
    api.setNow('2027-03-03T12:00:00+01:00');
    await changeWindow(api.service, windowId, { description: 'Ny version: 8.2' }, '-admin');
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('when ?format=csv is asked for, then it is a UTF-8 attachment with a BOM, `;` and the Swedish columns', async () => {
    const res = await api.request('/api/compliance?from=2027-03-01&to=2027-04-01&format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="driftstopp-efterlevnad-2027-03-01-2027-04-01.csv"');
    expect(res.bytes.subarray(0, 3)).toEqual(BOM);
    const text = res.bytes.subarray(3).toString('utf8');
    expect(text.split('\r\n')[0]).toBe(HEADER.join(';'));

    const [header, ...rows] = rowsOf(res.bytes);
    expect(header).toEqual(HEADER);
    // Four announcements and two reminders of the one window.
    expect(rows).toHaveLength(6);
    const managers = rows.find((r) => r[6] === 'Berörda chefer' && r[7] === 'meddelande')!;
    expect(managers).toEqual([
      windowId,
      `'${INJECTION}`,
      'Tes, CareApp',
      '2027-03-16 09:00',
      '2027-03-16 12:00',
      'schemalagt',
      'Berörda chefer',
      'meddelande',
      // The rule's last day, not the midnight after it.
      '2027-03-02',
      '2027-03-02 08:00',
      '2027-03-02 08:03',
      'ja',
      'i tid',
      '',
      '1',
      '0',
      'nej',
      'driftstopp',
      '',
      // The one manager told was asked to confirm and has not.
      '0 av 1',
      '0 %',
    ]);
    const intranet = rows.find((r) => r[6] === 'Intranätet')!;
    expect(intranet.slice(10, 13)).toEqual(['', '', 'väntar']);
  });

  it('when a title starts with =, then the cell is quoted text that no spreadsheet runs as a formula', async () => {
    const res = await api.request('/api/compliance?from=2027-03-01&to=2027-04-01&format=csv');
    const text = res.bytes.toString('utf8');
    expect(text).toContain(`;"'=HYPERLINK(""http://x"")";`);
    expect(text).not.toMatch(/(^|;)"?=/m);
  });

  it('when Accept is text/csv, then the report comes as CSV; ?format=json wins over Accept', async () => {
    const csv = await api.request('/api/compliance?from=2027-03-01&to=2027-04-01', { accept: 'text/csv' });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('vary')).toMatch(/Accept/i);
    expect(rowsOf(csv.bytes)).toHaveLength(7);
    const json = await api.request('/api/compliance?from=2027-03-01&to=2027-04-01&format=json', { accept: 'text/csv' });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.body.items).toHaveLength(1);
  });

  it('when the range holds no windows, then the CSV still has its header row', async () => {
    const res = await api.request('/api/compliance?from=2030-01-01&to=2030-02-01&format=csv');
    expect(rowsOf(res.bytes)).toEqual([HEADER]);
  });

  it('when the audit trail is asked for as CSV, then actors starting with @ or - are defused too', async () => {
    const res = await api.request(`/api/audit?windowId=${windowId}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="driftstopp-logg-till-2027-03-03.csv"');
    expect(res.bytes.subarray(0, 3)).toEqual(BOM);
    const [header, ...rows] = rowsOf(res.bytes);
    expect(header).toEqual(['id', 'fönster', 'driftstörning', 'utförd av', 'händelse', 'tidpunkt', 'detaljer']);
    expect(rows.map((r) => [r[1], r[2], r[3], r[4], r[5]])).toEqual([
      [windowId, '', "'@admin", 'registrerat', '2026-11-25 13:00'],
      [windowId, '', "'-admin", 'ändrat', '2027-03-03 12:00'],
    ]);
    expect(JSON.parse(rows[1]![6]!)).toMatchObject({ after: { title: INJECTION } });
  });
});
