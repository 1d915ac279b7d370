import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { AUDIENCES } from '../../src/policy/policy-schema.js';
import { VIEWER_TOKEN } from '../support/api.js';
import { useTestApi } from '../support/api-fixture.js';
import { testBackends } from '../support/database.js';
import { NOW, validWindowBody } from './security-fixtures.js';

const SCRIPT = '<script>alert(1)</script>';
const HOSTILE_TITLE = `Uppgradering Bcc: evil@example.org ${SCRIPT} "quotes" & <img src=x onerror=alert(2)>`;
const HOSTILE_DESCRIPTION = `Beskrivning ${SCRIPT}\r\nBcc: evil@example.org "quotes" & 'apostrof' </td></tr></table><b>fet</b>`;

/** An ampersand that does not start a character reference is raw text in HTML. */
const BARE_AMPERSAND = /&(?![a-zA-Z][a-zA-Z0-9]*;|#\d+;|#x[0-9a-fA-F]+;)/;

describe.each(testBackends)('escaping of what people type on $name', (backend) => {
  const fixture = useTestApi(backend, NOW);

  const register = async (extra: Record<string, unknown>) => {
    const res = await fixture.api.request('POST', '/api/windows', { body: validWindowBody(extra) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; title: string };
  };

  it('when a title carries markup, quotes and &, and a description also CR/LF, then they are stored as written', async () => {
    const window = await register({ title: HOSTILE_TITLE, description: HOSTILE_DESCRIPTION });
    const read = await fixture.api.request('GET', `/api/windows/${window.id}`, { token: VIEWER_TOKEN });
    expect(read.body).toMatchObject({ title: HOSTILE_TITLE, description: HOSTILE_DESCRIPTION });
  });

  it.each(AUDIENCES)(
    'when the %s notice of such a window is previewed, then its HTML escapes them and its subject is one line',
    async (audience) => {
      const window = await register({ title: HOSTILE_TITLE, description: HOSTILE_DESCRIPTION });
      const res = await fixture.api.request('GET', `/api/windows/${window.id}/preview/${audience}`, { token: VIEWER_TOKEN });
      expect(res.status).toBe(200);
      const { subject, html, text } = res.body as { subject: string; html: string; text: string };

      expect(subject).not.toMatch(/[\r\n\u0000-\u001f\u007f\u2028\u2029]/);
      expect(subject).not.toMatch(/^\s|\s$/);
      expect(html).not.toMatch(/<script|<img|onerror=|<b>fet/i);
      expect(html).not.toContain('"quotes"');
      expect(html).not.toMatch(BARE_AMPERSAND);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toMatch(/&quot;quotes&quot;|&#x22;quotes&#x22;|&#34;quotes&#34;/);
      // The <title> of the HTML part is the subject line, so it is one line too.
      expect(/<title>([^<]*)<\/title>/.exec(html)?.[1]).not.toMatch(/[\r\n]/);
      // The plain-text part carries the words as written; it is never read as HTML.
      expect(text).toContain(SCRIPT);
    },
  );

  it('when a title carries CR/LF, then it is refused with 400 naming the title, so no header can start', async () => {
    const res = await fixture.api.request('POST', '/api/windows', { body: validWindowBody({ title: 'Uppgradering\r\nBcc: evil@example.org' }) });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'title', code: 'control_character' })]);
  });

  it.each([
    ['=HYPERLINK("http://x")', `'=HYPERLINK("http://x")`],
    ['+1+cmd|\' /C calc\'!A0', `'+1+cmd|' /C calc'!A0`],
    ['-2+3+cmd|\' /C calc\'!A0', `'-2+3+cmd|' /C calc'!A0`],
    ['@SUM(1+1)*cmd|\' /C calc\'!A0', `'@SUM(1+1)*cmd|' /C calc'!A0`],
  ])('when a title is the formula %s, then its compliance CSV cell starts with an apostrophe', async (title, cell) => {
    const window = await register({ title });
    const res = await fetch(`${fixture.api.baseUrl}/api/compliance?format=csv`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parse(await res.text(), { bom: true, delimiter: ';', columns: true }) as Record<string, string>[];
    const ours = rows.filter((row) => row['fönster'] === window.id);
    expect(ours.length).toBeGreaterThan(0);
    for (const row of ours) expect(row['titel']).toBe(cell);
    // No cell of any row may start a formula.
    for (const row of rows) for (const value of Object.values(row)) expect(value).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('when the audit trail of such a window is exported, then no cell starts a formula', async () => {
    const window = await register({ title: '=HYPERLINK("http://x")' });
    const res = await fetch(`${fixture.api.baseUrl}/api/audit?format=csv&windowId=${window.id}`, {
      headers: { authorization: `Bearer ${VIEWER_TOKEN}` },
    });
    const rows = parse(await res.text(), { bom: true, delimiter: ';', columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) for (const value of Object.values(row)) expect(value).not.toMatch(/^[=+\-@\t\r]/);
  });
});
