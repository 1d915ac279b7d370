import { beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/windows/audit-repository.js';
import { testBackends } from '../support/database.js';
import { countRows, useRecipientApi } from './recipient-test-app.js';

/** An export from a spreadsheet: BOM, CRLF, quoting, Swedish letters, and a mix of good and bad rows. */
const MIXED = [
  '\uFEFFname,email,kind,systems,unit', //                              1 header
  '"Åberg, Anna",Anna.Aberg@orebro.se,chef,tes;careapp,Hemtjänst Väster', // 2 ok
  'Björn Öst , bjorn.ost@orebro.se ,utförare,Tes|CareLock,', //          3 ok: display names, spaces
  ',noname@orebro.se,chef,tes,', //                                      4 no name
  'Cecilia,inte-en-adress,chef,tes,', //                                 5 bad e-mail
  'Dan,dan@orebro.se,chef,tes;pascal,', //                               6 unknown system
  'Eva,eva@orebro.se', //                                                7 too few columns
  '', //                                                                 8 empty, skipped
  '"Anna Åberg",ANNA.ABERG@orebro.se,manager,carelock,', //              9 repeats row 2
  'Redan Här,existing@orebro.se,manager,tes,', //                       10 already active
  '"Fia ""Fiffi"" Ödman",fia@orebro.se,provider,careapp,Eget Val', //   11 ok: escaped quotes
  'Gun,gun@orebro.se,chefen,tes,', //                                   12 unknown kind
  'Redan Här,existing@orebro.se,provider,tes,', //                      13 ok: another kind
  'Hans,hans@orebro.se,Chef,tes,"Hemtjänst', //                         14 ok: unit over two lines
  'Norr"', //                                                           15
  'Ida Ärlig,ida@orebro,chef,carelock,', //                             16 bad e-mail
  'Jon Ek,jon@orebro.se,chef,"tes,careapp",x,y', //                     17 too many columns
  '"Lo', //                                                             18 bad e-mail, name over two lines
  'Lo",lo@orebro,chef,tes,', //                                         19
].join('\r\n');

const MIXED_REFUSED = [
  { row: 4, email: 'noname@orebro.se', errors: [{ path: 'name', code: 'too_small' }] },
  { row: 5, email: 'inte-en-adress', errors: [{ path: 'email', code: 'invalid_format' }] },
  { row: 6, email: 'dan@orebro.se', errors: [{ path: 'systems.1', code: 'unknown_system' }] },
  { row: 7, email: 'eva@orebro.se', errors: [{ path: '(row)', code: 'too_few_columns' }] },
  { row: 9, email: 'anna.aberg@orebro.se', errors: [{ path: 'email', code: 'duplicate' }] },
  { row: 10, email: 'existing@orebro.se', errors: [{ path: 'email', code: 'duplicate' }] },
  { row: 12, email: 'gun@orebro.se', errors: [{ path: 'kind', code: 'invalid_value' }] },
  { row: 16, email: 'ida@orebro', errors: [{ path: 'email', code: 'invalid_format' }] },
  { row: 17, email: 'jon@orebro.se', errors: [{ path: '(row)', code: 'too_many_columns' }] },
  { row: 18, email: 'lo@orebro', errors: [{ path: 'email', code: 'invalid_format' }] },
];

/** The report without its human-readable messages, which are checked to be present. */
function shapeOf(report: any) {
  for (const refused of report.refused) for (const error of refused.errors) expect(error.message).toMatch(/\S/);
  return {
    ...report,
    refused: report.refused.map((r: any) => ({ ...r, errors: r.errors.map(({ path, code }: any) => ({ path, code })) })),
  };
}

describe.each(testBackends)('recipient CSV import on $name', (backend) => {
  const stack = useRecipientApi(backend, ['recipients', 'audit_events']);
  beforeEach(async () => {
    const existing = { kind: 'manager', name: 'Redan Här', email: 'existing@orebro.se', systems: ['tes'] };
    expect((await stack.api.request('POST', '/api/recipients', { json: existing })).status).toBe(201);
  });

  const importCsv = (csv: string | ArrayBuffer, query = '') => stack.api.request('POST', `/api/recipients/import${query}`, { csv });
  const snapshot = async () => ({
    recipients: await stack.db.selectFrom('recipients').selectAll().orderBy('id').execute(),
    audit: await countRows(stack.db, 'audit_events'),
  });

  it('when a file mixes good and bad rows, then the good ones are stored and each bad one is reported by its line', async () => {
    const res = await importCsv(MIXED);
    expect(res.status).toBe(200);
    expect(shapeOf(res.body)).toEqual({ imported: 5, dryRun: false, refused: MIXED_REFUSED });

    // Sorted here by e-mail: how names with Å and Ö sort depends on the database's collation.
    const listed = (await stack.api.request('GET', '/api/recipients')).body.items;
    const byKindAndEmail = (a: any, b: any) => `${a.kind} ${a.email}`.localeCompare(`${b.kind} ${b.email}`);
    expect(listed.sort(byKindAndEmail).map((r: any) => [r.kind, r.name, r.email, r.systems, r.unit])).toEqual([
      ['manager', 'Åberg, Anna', 'anna.aberg@orebro.se', ['tes', 'careapp'], 'Hemtjänst Väster'],
      ['manager', 'Redan Här', 'existing@orebro.se', ['tes'], null],
      ['manager', 'Hans', 'hans@orebro.se', ['tes'], 'Hemtjänst Norr'],
      ['provider', 'Björn Öst', 'bjorn.ost@orebro.se', ['tes', 'carelock'], null],
      ['provider', 'Redan Här', 'existing@orebro.se', ['tes'], null],
      ['provider', 'Fia "Fiffi" Ödman', 'fia@orebro.se', ['careapp'], 'Eget Val'],
    ]);
    const imported = (await listAudit(stack.db, {})).filter((e) => e.action === 'recipients.imported');
    expect(imported).toEqual([expect.objectContaining({ window_id: null, actor: 'admin:test', details: { imported: 5, refused: 10 } })]);
  });

  it('when the same file is imported twice, then the second time every good row is refused as a duplicate', async () => {
    await importCsv(MIXED);
    const again = await importCsv(MIXED);
    expect(again.body.imported).toBe(0);
    expect(again.body.refused.filter((r: any) => r.errors[0].code === 'duplicate').map((r: any) => r.row)).toEqual([2, 3, 9, 10, 11, 13, 14]);
  });

  it('when a dry run is asked for, then the report is the real one and nothing is written', async () => {
    const before = await snapshot();
    const dry = await importCsv(MIXED, '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(shapeOf(dry.body)).toEqual({ imported: 5, dryRun: true, refused: MIXED_REFUSED });
    expect(await snapshot()).toEqual(before);

    const real = await importCsv(MIXED, '?dryRun=false');
    expect({ ...real.body, dryRun: true }).toEqual(dry.body);
  });

  it('when the header lacks a required column, then it is a 400 naming it and nothing is written', async () => {
    const before = await snapshot();
    const res = await importCsv('namn,email,kind,unit\r\nAnna,anna@orebro.se,chef,Väster\r\n');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e: any) => [e.path, e.code])).toEqual([
      ['header.name', 'missing_column'],
      ['header.systems', 'missing_column'],
    ]);
    expect(res.body.detail).toContain('name, systems');
    expect((await importCsv('')).body.errors.map((e: any) => e.path)).toEqual(['header.name', 'header.email', 'header.kind', 'header.systems']);
    expect(await snapshot()).toEqual(before);
  });

  it('when every row is refused, then the import changes nothing and records no audit event', async () => {
    const before = await snapshot();
    const res = await importCsv('name,email,kind,systems\nAnna,anna@,chef,tes\nBo,bo@orebro.se,chef,\n');
    expect(shapeOf(res.body)).toEqual({
      imported: 0,
      dryRun: false,
      refused: [
        { row: 2, email: 'anna@', errors: [{ path: 'email', code: 'invalid_format' }] },
        { row: 3, email: 'bo@orebro.se', errors: [{ path: 'systems', code: 'too_small' }] },
      ],
    });
    expect(await snapshot()).toEqual(before);
  });

  it('when a quote is never closed, then the whole file is refused with a 400 rather than losing the rows after it', async () => {
    const before = await snapshot();
    const res = await importCsv('name,email,kind,systems\n"Anna,anna@orebro.se,chef,tes\nBo,bo@orebro.se,chef,tes\n');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body', code: 'malformed_csv' })]);
    expect(await snapshot()).toEqual(before);
  });

  it('when Excel saved the file with semicolons, then the delimiter is recognised', async () => {
    const res = await importCsv('name;email;kind;systems;unit\nÖrjan Ärling;orjan@orebro.se;chef;tes|careapp;Äldreomsorg\n');
    expect(res.body).toEqual({ imported: 1, dryRun: false, refused: [] });
    const [orjan] = (await stack.api.request('GET', '/api/recipients?system=careapp')).body.items;
    expect(orjan).toMatchObject({ name: 'Örjan Ärling', systems: ['tes', 'careapp'], unit: 'Äldreomsorg' });
  });

  it('when the file is not UTF-8, then it is refused instead of storing mangled names', async () => {
    const latin1 = Buffer.from('name,email,kind,systems\nÅsa Öberg,asa@orebro.se,chef,tes\n', 'latin1');
    const res = await importCsv(new Uint8Array(latin1).buffer);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ code: 'invalid_encoding' })]);
    expect(await countRows(stack.db, 'recipients')).toBe(1);
  });

  it('when the body is sent as JSON, or dryRun is not a boolean, then the request is refused', async () => {
    const json = await stack.api.request('POST', '/api/recipients/import', { json: { name: 'Anna' } });
    expect(json.status).toBe(415);
    const badFlag = await importCsv('name,email,kind,systems\n', '?dryRun=yes');
    expect(badFlag.status).toBe(400);
    expect(badFlag.body.errors.map((e: any) => e.path)).toEqual(['dryRun']);
  });
});
