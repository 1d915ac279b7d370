import { describe, expect, it } from 'vitest';
import { renderDisruptionNotice, type DisruptionFacts } from '../../src/messages/render-disruption.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { AUDIENCES } from '../../src/policy/policy-schema.js';
import { DISRUPTION_STATUSES, type DisruptionStatus } from '../../src/rules/disruption-status.js';

const policy = loadPolicy();
/** Saturday 27 March 2027, 19.30 in Örebro: only the lock-fault line is open. */
const REGISTERED = new Date('2027-03-27T18:30:00Z');
const HOUR = 3_600_000;

function facts(statuses: DisruptionStatus[], options: { systems?: string[]; window?: { systems: string[]; status?: string } } = {}): DisruptionFacts {
  const updates = statuses.map((status, i) => ({
    id: `u${i + 1}`,
    disruption_id: 'd1',
    sequence: i + 1,
    status,
    message: i === 0 ? 'Låsen svarar inte i appen.' : `Besked nummer ${i + 1}.`,
    created_by: 'admin',
    at: new Date(REGISTERED.getTime() + i * HOUR),
  }));
  return {
    disruption: {
      id: 'd1',
      title: 'Låsen går inte att öppna',
      description: 'Låsen svarar inte i appen.',
      systems: options.systems ?? ['carelock'],
      status: statuses.at(-1)!,
      revision: statuses.length,
      created_by: 'admin',
      created_at: REGISTERED,
      updated_at: updates.at(-1)!.at,
      resolved_at: statuses.at(-1) === 'resolved' ? updates.at(-1)!.at : null,
    },
    updates,
    windows: options.window
      ? [{ id: 'w1', title: 'Uppgradering av låsservern', systems: options.window.systems, status: options.window.status ?? 'in_progress', start_at: new Date(REGISTERED.getTime() - HOUR), end_at: new Date(REGISTERED.getTime() + HOUR) }]
      : [],
  };
}

describe('a disruption message', () => {
  it('when a disruption is registered, then the subject names the systems and title, and the text the status, time and who to call now', () => {
    const message = renderDisruptionNotice({ policy, facts: facts(['investigating']), audience: 'managers', kind: 'announcement', revision: 1 });
    expect(message.subject).toBe('Driftstörning: CareLock – Låsen går inte att öppna');
    expect(message.text).toContain('Läge: Felsökning pågår (lördag 27 mars 2027 kl. 19.30)');
    expect(message.text).toContain('Låsen svarar inte i appen.');
    expect(message.text).toContain('Vem ringer jag nu?');
    expect(message.text).toContain('019-21 49 44, öppet till kl. 22.00');
    expect(message.html).toContain('Vem ringer jag nu?');
    expect(message.text).not.toContain('planerade driftstoppet');
  });

  it('when it falls in a running planned window of an affected system, then it says so; a cancelled or unrelated window is not named', () => {
    const during = renderDisruptionNotice({ policy, facts: facts(['investigating'], { window: { systems: ['carelock'] } }), audience: 'intranet', kind: 'announcement', revision: 1 });
    expect(during.text).toContain('under det planerade driftstoppet "Uppgradering av låsservern" lördag 27 mars 2027 kl. 18.30–20.30');
    // Tes takes CareApp with it: a Tes window covers a CareApp disruption.
    const dependent = renderDisruptionNotice({ policy, facts: facts(['investigating'], { systems: ['careapp'], window: { systems: ['tes'] } }), audience: 'intranet', kind: 'announcement', revision: 1 });
    expect(dependent.text).toContain('under det planerade driftstoppet');
    for (const window of [{ systems: ['carelock'], status: 'cancelled' }, { systems: ['tes'] }]) {
      const other = renderDisruptionNotice({ policy, facts: facts(['investigating'], { window }), audience: 'intranet', kind: 'announcement', revision: 1 });
      expect(other.text).not.toContain('planerade driftstoppet');
    }
  });

  it('when an update goes out, then it tells its own status and the earlier ones, never a later one', () => {
    const all = facts(['investigating', 'identified', 'monitoring', 'resolved']);
    const second = renderDisruptionNotice({ policy, facts: all, audience: 'egetval', kind: 'update', revision: 2 });
    expect(second.subject).toBe('Nytt besked: driftstörning i CareLock – Låsen går inte att öppna');
    expect(second.text).toContain('Läge: Orsaken är känd');
    expect(second.text).not.toContain('Besked nummer 3.');
    const resolved = renderDisruptionNotice({ policy, facts: all, audience: 'egetval', kind: 'update', revision: 4 });
    expect(resolved.subject).toBe('Löst: driftstörning i CareLock – Låsen går inte att öppna');
    expect(resolved.text).toContain('Läge: Löst');
    expect(resolved.text).toContain('Tidigare besked:');
    expect(resolved.text).toContain('Besked nummer 2.');
    expect(resolved.text).toContain('Besked nummer 3.');
  });

  it('when a newcomer gets the announcement after updates, then it says why and tells the disruption as it is now', () => {
    const message = renderDisruptionNotice({ policy, facts: facts(['investigating', 'identified']), audience: 'managers', kind: 'announcement', revision: 2, catchUp: true });
    expect(message.subject).toBe('Driftstörning: CareLock – Låsen går inte att öppna');
    expect(message.text).toContain('nyligen har börjat få information');
    expect(message.text).toContain('Läge: Orsaken är känd');
    expect(message.text).toContain('Besked nummer 2.');
  });

  it('when providers and the public read it, then no internal line, no routines box and no on-call path are in it; staff get them', () => {
    const staff = renderDisruptionNotice({ policy, facts: facts(['investigating']), audience: 'managers', kind: 'announcement', revision: 1 });
    expect(staff.text).toContain('internt 2000');
    expect(staff.text).toContain('jourhavande');
    for (const audience of ['egetval', 'public'] as const) {
      const message = renderDisruptionNotice({ policy, facts: facts(['investigating']), audience, kind: 'announcement', revision: 1 });
      expect(message.text).not.toContain('internt 2000');
      expect(message.text).not.toContain('Viktigt att interna rutiner');
      expect(message.text).not.toContain('Begär jourhavande');
    }
  });

  it('when a title or message holds markup, then the HTML shows it as text', () => {
    const base = facts(['investigating', 'identified']);
    const hostile = { ...base, disruption: { ...base.disruption, title: '<script>x</script>' }, updates: base.updates.map((u) => ({ ...u, message: '<img src=x onerror=alert(1)>' })) };
    const message = renderDisruptionNotice({ policy, facts: hostile, audience: 'intranet', kind: 'update', revision: 2 });
    expect(message.html).not.toContain('<script>x');
    expect(message.html).not.toContain('<img src=x');
    expect(message.html).toContain('&lt;img src');
  });
});

/** Words that must not leak into a text: codes, English, template gaps; and raw ISO dates. */
const LEAKS = /\b(investigating|identified|monitoring|resolved|announcement|update|undefined|null|NaN|Invalid|true|false|managers|intranet|egetval|provider|staff|the|and|with)\b/i;
const ISO = /\b\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?\b/;

describe('every disruption message', () => {
  const cases = AUDIENCES.flatMap((audience) =>
    [['carelock'], ['careapp', 'carelock'], ['tes', 'carelock']].flatMap((systems) =>
      DISRUPTION_STATUSES.slice(1).map((last) => ({ audience, systems, last })),
    ),
  );

  it(`when all ${cases.length * 2} combinations of audience, systems, kind and status are rendered, then no code, raw date or wrong number leaks`, () => {
    const problems: string[] = [];
    for (const c of cases) {
      const all = facts(['investigating', c.last], { systems: c.systems });
      for (const [kind, revision] of [['announcement', 1], ['update', 2]] as const) {
        const message = renderDisruptionNotice({ policy, facts: all, audience: c.audience, kind, revision });
        const prose = (text: string) => text.replace(/https?:\/\/\S+|mailto:\S+|tel:\S+|\S+@\S+/g, ' ');
        for (const [part, text] of Object.entries({ subject: message.subject, text: prose(message.text), html: prose(message.html.replace(/<[^>]+>/g, ' ')) })) {
          const where = `${c.audience} ${kind} ${c.systems.join('+')} ${c.last} ${part}`;
          const leak = LEAKS.exec(text) ?? ISO.exec(text);
          if (leak) problems.push(`${where}: "${leak[0]}"`);
          if (c.systems.length === 1 && /systemen\b/i.test(text)) problems.push(`${where}: "systemen" with one system`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
