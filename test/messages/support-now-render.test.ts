import { DateTime } from 'luxon';
import { HtmlValidate } from 'html-validate';
import { describe, expect, it } from 'vitest';
import { renderSupportNow } from '../../src/messages/support-now-render.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import type { Policy } from '../../src/policy/policy-schema.js';
import { supportNow } from '../../src/rules/support-now.js';

const policy = loadPolicy();
const ZONE = policy.timezone;
const local = (wallClock: string) => DateTime.fromISO(wallClock, { zone: ZONE }).toJSDate();

async function validHtml(fragment: string): Promise<string[]> {
  const page = `<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Test</title></head><body><main>${fragment}</main></body></html>`;
  const validator = new HtmlValidate({ extends: ['html-validate:recommended'], rules: { 'tel-non-breaking': ['error', { ignoreClasses: ['phone'] }] } });
  const report = await validator.validateString(page);
  return report.results.flatMap((result) => result.messages.map((m) => `${m.ruleId}: ${m.message}`));
}

describe('renderSupportNow', () => {
  it('when staff ask at night, then both parts give the checklist in order, the on-call path, its limits and when support opens', async () => {
    const { html, text } = renderSupportNow(supportNow(policy, local('2026-12-01T23:00'), 'staff'), { zone: ZONE });
    expect(text.split('\n')).toEqual([
      'Vem ringer jag nu?',
      '',
      'Gäller tisdag 1 december 2026 kl. 23.00 för kommunens personal.',
      '',
      'Ingen supportlinje är öppen just nu.',
      '',
      'Gör följande kontroller innan du ringer:',
      '1. Kontrollera att sladdar och anslutningar sitter som de ska.',
      '2. Starta om datorn. Försök sedan logga in i systemet igen.',
      '3. Kontrollera om det går att logga in i andra verksamhetssystem (felet kan påverka flera system) och prova att surfa, till exempel på www.na.se.',
      '4. Be en kollega att testa på samma dator och testa även på en annan dator.',
      '',
      'Är ärendet akut och kan inte vänta till nästa vardag: ring 2000 (019-21 20 00). Du kopplas då till SOS Alarm. Begär jourhavande datatekniker för Örebro kommun.',
      'I beredskapsavtalet ingår inte att låsa upp konton eller byta lösenord.',
      '',
      'Kommunsupport för Tes, CareApp och CareLock öppnar igen onsdag 2 december 2026 kl. 08.00.',
      'Kommunsupport för IT och telefoni öppnar igen onsdag 2 december 2026 kl. 07.00.',
    ]);
    expect(html).toContain('<h2 id="vem-ringer-jag-nu">Vem ringer jag nu?</h2>');
    expect(html).toMatch(/<ol>\n<li>Kontrollera att sladdar[^]*<\/ol>/);
    expect(html).toContain('<strong>Är ärendet akut');
    expect(await validHtml(html)).toEqual([]);
  });

  it('when a provider asks on a Saturday evening, then the lock-fault line is a dialable link with its closing time, and nothing internal is said', async () => {
    const { html, text } = renderSupportNow(supportNow(policy, local('2026-12-05T19:30'), 'provider'), { zone: ZONE, headingLevel: 3, id: 'support' });
    expect(html).toContain('<h3 id="support">Vem ringer jag nu?</h3>');
    expect(html).toContain(
      '<li><strong>Felanmälan CareLock (trasigt lås)</strong>: <a class="phone" href="tel:019214944">019-21 49 44</a>, öppet till kl. 22.00. Använd backup-nyckeln först.',
    );
    expect(text).toContain('- Felanmälan CareLock (trasigt lås): 019-21 49 44, öppet till kl. 22.00. Använd backup-nyckeln först.');
    expect(text).toContain('Jouren på kvällar, helger och nätter gäller inte externa utförare.');
    for (const part of [html, text]) {
      expect(part).not.toContain('internt');
      expect(part).not.toContain('SOS Alarm');
    }
    expect(await validHtml(html)).toEqual([]);
  });

  it('when staff ask on a weekday morning, then the open lines carry the internal number and no checklist', () => {
    const { html, text } = renderSupportNow(supportNow(policy, local('2026-12-01T09:00'), 'staff'), { zone: ZONE });
    expect(text).toContain('- Kommunsupport för Tes, CareApp och CareLock: 019-21 20 00 (internt 2000), öppet till kl. 12.00. Tryck 3 och sedan 1 i telefonvalet.');
    expect(html).toContain('<a class="phone" href="tel:019212000">019-21 20 00</a> (internt 2000), öppet till kl. 12.00.');
    expect(html).not.toContain('<ol>');
    expect(text).not.toContain('Gör följande kontroller');
  });

  it('when the policy\'s texts hold markup, then the HTML shows it as text', () => {
    const hostile = structuredClone(policy) as any;
    hostile.support.now.lines[2].name = 'Lås <script>alert(1)</script>';
    hostile.support.now.whenClosed.checklist[0] = 'Sladdar & "kontakter"';
    const { html } = renderSupportNow(supportNow(hostile as Policy, local('2026-12-05T19:30'), 'staff'), { zone: ZONE });
    expect(html).not.toContain('<script>');
    expect(html).toContain('Lås &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Sladdar &amp; &quot;kontakter&quot;');
  });
});
