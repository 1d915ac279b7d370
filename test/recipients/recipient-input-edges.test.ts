import { describe, expect, it } from 'vitest';
import { testBackends } from '../support/database.js';
import { countRows, useRecipientApi } from './recipient-test-app.js';

const anna = { kind: 'manager', name: 'Anna Åberg', email: 'anna.aberg@orebro.se', systems: ['tes'], unit: 'Hemtjänst Väster' };
const HEADER = 'name,email,kind,systems,unit';

describe.each(testBackends)('input at the edges of the recipients API on $name', (backend) => {
  const stack = useRecipientApi(backend, ['recipients']);

  it.each([
    ['a NUL byte in the name', { name: 'Anna\u0000 Åberg' }, 'name', 'control_character'],
    ['a vertical tab in the unit', { unit: 'Hemtjänst\u000bVäster' }, 'unit', 'control_character'],
    ['a newline in the name', { name: 'Anna\nÅberg' }, 'name', 'control_character'],
    ['a name of zero-width spaces', { name: '\u200b\u200c\u200d' }, 'name', 'invisible_only'],
    ['a right-to-left override in the name', { name: 'Anna \u202egrebÅ' }, 'name', 'bidi_control'],
    ['a right-to-left isolate in the unit', { unit: '\u2067Hemtjänst\u2069' }, 'unit', 'bidi_control'],
  ])('when a recipient is created with %s, then it is refused with 400 naming the field and nothing is stored', async (_label, extra, path, code) => {
    const res = await stack.api.request('POST', '/api/recipients', { json: { ...anna, ...extra } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path, code })]);
    expect(res.body.errors[0].message).toMatch(/Innehåller|Får inte|Består/);
    expect(await countRows(stack.db, 'recipients')).toBe(0);
  });

  it('when a CSV row has a NUL byte in a name, then the whole file is refused with 400 naming the line and column, and nothing is stored', async () => {
    const csv = [HEADER, 'Anna Åberg,anna.aberg@orebro.se,chef,tes,', 'Bo\u0000 Ek,bo.ek@orebro.se,chef,tes,Hemtjänst\u0007'].join('\n');
    const res = await stack.api.request('POST', '/api/recipients/import', { csv });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'row.3.name', code: 'control_character', message: expect.stringContaining('Rad 3, kolumn 1') },
      { path: 'row.3.unit', code: 'control_character', message: expect.stringContaining('U+0007') },
    ]);
    expect(res.body.detail).toContain('row.3.name');
    expect(await countRows(stack.db, 'recipients')).toBe(0);
  });

  it('when a file is UTF-16 without a byte order mark, then its NUL bytes refuse it with 400 rather than a 500', async () => {
    const csv = Buffer.from(`${HEADER}\nAnna,anna@orebro.se,chef,tes,\n`, 'utf16le');
    const res = await stack.api.request('POST', '/api/recipients/import', { csv: csv.buffer.slice(csv.byteOffset, csv.byteOffset + csv.byteLength) });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'control_character' });
    expect(await countRows(stack.db, 'recipients')).toBe(0);
  });

  it('when a CSV row names someone with a bidirectional override or only invisible characters, then that row is refused by its field and the rest imported', async () => {
    const csv = [HEADER, 'Anna \u202egrebÅ,anna@orebro.se,chef,tes,', '\u200b\u200b,bo@orebro.se,chef,tes,', 'Cilla Ek,cilla@orebro.se,chef,tes,'].join('\n');
    const res = await stack.api.request('POST', '/api/recipients/import', { csv });
    expect(res.status).toBe(200);
    expect(res.body.imported).toBe(1);
    expect(res.body.refused).toEqual([
      { row: 2, email: 'anna@orebro.se', errors: [expect.objectContaining({ path: 'name', code: 'bidi_control' })] },
      { row: 3, email: 'bo@orebro.se', errors: [expect.objectContaining({ path: 'name', code: 'invisible_only' })] },
    ]);
  });

  it('when a quoted CSV cell spans two lines or holds a tab, then it is stored on one line', async () => {
    const csv = [HEADER, 'Anna\tÅberg,anna@orebro.se,chef,tes,"Hemtjänst', 'Väster"'].join('\r\n');
    const res = await stack.api.request('POST', '/api/recipients/import', { csv });
    expect(res.body).toMatchObject({ imported: 1, refused: [] });
    const [stored] = (await stack.api.request('GET', '/api/recipients')).body.items;
    expect(stored).toMatchObject({ name: 'Anna Åberg', unit: 'Hemtjänst Väster' });
  });
});
