import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/policy/load-policy.js';
import type { Policy } from '../../src/policy/policy-schema.js';
import { supportNow } from '../../src/rules/support-now.js';
import { IT, LOCK, TABLE, TES } from './support-now-table.js';

const policy = loadPolicy();
const ZONE = 'Europe/Stockholm';

/** An instant from Stockholm wall-clock time, e.g. `local('2026-12-01T09:00')`. */
function local(wallClock: string): Date {
  return DateTime.fromISO(wallClock, { zone: ZONE }).toJSDate();
}

describe('supportNow with the routine in the default policy', () => {
  it.each(TABLE)('when $label ($at, $for), then the lines open, their closing times and the advice follow the routine', (row) => {
    const answer = supportNow(policy, local(row.at), row.for);
    expect(answer.open.map((line) => `${line.id} ${line.until}`)).toEqual(row.open);
    if (row.closed) expect(answer.closed.map((line) => `${line.id} ${line.opensAt}`)).toEqual(row.closed);
    expect(answer.checklist.length > 0).toBe(row.checklist);
    expect(answer.onCall !== null).toBe(row.onCall);
    expect(DateTime.fromISO(answer.at).toMillis()).toBe(local(row.at).getTime());
    // Providers never see the internal number or the staff-only line.
    if (row.for === 'provider') {
      expect(JSON.stringify(answer)).not.toContain('internt');
      expect(JSON.stringify(answer)).not.toContain('IT och telefoni');
      expect(answer.open.every((line) => line.internalPhone === null)).toBe(true);
    }
  });

  it('when the table is counted, then it holds at least 15 instants, both audiences and both daylight-saving days', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(15);
    expect(new Set(TABLE.map((row) => row.for))).toEqual(new Set(['staff', 'provider']));
    expect(TABLE.some((row) => row.at.startsWith('2027-03-28'))).toBe(true);
    expect(TABLE.some((row) => row.at.startsWith('2026-10-25'))).toBe(true);
  });

  it('when staff ask at night, then the advice is the checklist, the on-call path and what it does not cover; providers get the checklist and are told it is not theirs', () => {
    const staff = supportNow(policy, local('2026-12-01T23:00'), 'staff');
    expect(staff.advice).toEqual([
      'Gör följande kontroller innan du ringer:',
      '1. Kontrollera att sladdar och anslutningar sitter som de ska.',
      '2. Starta om datorn. Försök sedan logga in i systemet igen.',
      '3. Kontrollera om det går att logga in i andra verksamhetssystem (felet kan påverka flera system) och prova att surfa, till exempel på www.na.se.',
      '4. Be en kollega att testa på samma dator och testa även på en annan dator.',
      'Är ärendet akut och kan inte vänta till nästa vardag: ring 2000 (019-21 20 00). Du kopplas då till SOS Alarm. Begär jourhavande datatekniker för Örebro kommun.',
      'I beredskapsavtalet ingår inte att låsa upp konton eller byta lösenord.',
      'Kommunsupport för Tes, CareApp och CareLock öppnar igen onsdag 2 december 2026 kl. 08.00.',
      'Kommunsupport för IT och telefoni öppnar igen onsdag 2 december 2026 kl. 07.00.',
    ]);
    const provider = supportNow(policy, local('2026-12-01T23:00'), 'provider');
    expect(provider.advice.slice(0, 5)).toEqual(staff.advice.slice(0, 5));
    expect(provider.advice.slice(5)).toEqual([
      'Jouren på kvällar, helger och nätter gäller inte externa utförare. Följ er egen rutin vid driftstopp och ring Kommunsupport när den öppnar.',
      'Kommunsupport för Tes, CareApp och CareLock öppnar igen onsdag 2 december 2026 kl. 08.00.',
    ]);
    expect(JSON.stringify(provider)).not.toContain('SOS Alarm');
  });

  it('when the lock-fault line is open, then the advice says the backup key comes first, with the number and closing time', () => {
    const answer = supportNow(policy, local('2026-12-05T19:30'), 'provider');
    expect(answer.open).toEqual([
      expect.objectContaining({ name: 'Felanmälan CareLock (trasigt lås)', phone: '019-21 49 44', kind: 'faultReport', untilText: 'kl. 22.00' }),
    ]);
    expect(answer.advice[0]).toBe(
      'Felanmälan CareLock (trasigt lås): 019-21 49 44, öppet till kl. 22.00. Använd backup-nyckeln först. Ring bara om den inte fungerar och låset verkar trasigt. Ingen support för CareApp eller telefoni på det numret.',
    );
  });

  it('when staff ask on a weekday morning, then each open line comes with its numbers and menu choice, and no checklist', () => {
    const answer = supportNow(policy, local('2026-12-01T09:00'), 'staff');
    expect(answer.advice).toEqual([
      'Kommunsupport för Tes, CareApp och CareLock: 019-21 20 00 (internt 2000), öppet till kl. 12.00. Tryck 3 och sedan 1 i telefonvalet.',
      'Kommunsupport för IT och telefoni: 019-21 20 00 (internt 2000), öppet till kl. 17.00. Tryck 4 i telefonvalet. Endast för kommunanställda.',
    ]);
    expect(answer.checklistIntro).toBeNull();
  });

  it('when it is the day before a holiday, then the routine\'s caveat is said, and not on other days', () => {
    expect(supportNow(policy, local('2027-06-24T10:00'), 'provider').notes).toEqual(['Andra tider kan förekomma dagen före helgdag.']);
    expect(supportNow(policy, local('2026-12-23T10:00'), 'staff').advice[0]).toBe('Andra tider kan förekomma dagen före helgdag.');
    expect(supportNow(policy, local('2027-06-23T10:00'), 'staff').notes).toEqual([]);
    // Midsummer Eve itself is a holiday, not the day before one.
    expect(supportNow(policy, local('2027-06-25T10:00'), 'staff').notes).toEqual([]);
  });

  it('when asked, then the answer says from when until when it holds, at a line\'s edge or midnight', () => {
    const lunch = supportNow(policy, local('2026-12-01T12:15'), 'provider');
    expect([lunch.since, lunch.changesAt]).toEqual(['2026-12-01T12:00:00+01:00', '2026-12-01T13:00:00+01:00']);
    const night = supportNow(policy, local('2026-12-01T23:00'), 'staff');
    expect([night.since, night.changesAt]).toEqual(['2026-12-01T22:00:00+01:00', '2026-12-02T00:00:00+01:00']);
    const early = supportNow(policy, local('2026-12-02T03:00'), 'staff');
    expect([early.since, early.changesAt]).toEqual(['2026-12-02T00:00:00+01:00', '2026-12-02T07:00:00+01:00']);
    // The short night of summer time: midnight to 07:00 is six hours.
    const dst = supportNow(policy, local('2027-03-28T03:30'), 'staff');
    expect(dst.at).toBe('2027-03-28T03:30:00+02:00');
    expect([dst.since, dst.changesAt]).toEqual(['2027-03-28T00:00:00+01:00', '2027-03-28T07:00:00+02:00']);
  });
});

/** The default policy with the support lines changed by `change`, as an operator would write it. */
function policyWith(change: (now: any) => void): Policy {
  const copy = structuredClone(policy) as any;
  change(copy.support.now);
  return copy as Policy;
}

describe('supportNow with hours the policy states per date', () => {
  const shortened = policyWith((now) => {
    const tes = now.lines.find((line: any) => line.id === TES);
    tes.exceptions = [
      { on: '2026-12-30', hours: [], note: 'Kommunsupport har stängt för inventering.' },
      { on: 'holiday', hours: [] },
      { on: 'dayBeforeHoliday', hours: [{ from: '08:00', to: '12:00' }], note: 'Kortare öppettider dagen före helgdag.' },
    ];
  });

  it.each([
    ['the day before Midsummer Eve, 11:00: open until 12.00', '2027-06-24T11:00', [`${TES} 2027-06-24T12:00:00+02:00`], null],
    ['the day before Midsummer Eve, 13:30: closed until Monday', '2027-06-24T13:30', [], `${TES} 2027-06-28T08:00:00+02:00`],
    ['the day before Christmas Eve, 14:00', '2026-12-23T14:00', [], `${TES} 2026-12-28T08:00:00+01:00`],
    // …and the next day is New Year's Eve, a holiday eve, then a Friday holiday and a weekend.
    ['a dated closure on an ordinary Wednesday', '2026-12-30T10:00', [], `${TES} 2027-01-04T08:00:00+01:00`],
    ['the day before that closure, on ordinary hours', '2026-12-29T16:00', [`${TES} 2026-12-29T16:30:00+01:00`], null],
  ])('when it is %s, then the stated hours replace the week\'s', (_label, at, open, closed) => {
    const answer = supportNow(shortened, local(at), 'provider');
    expect(answer.open.filter((line) => line.id === TES).map((line) => `${line.id} ${line.until}`)).toEqual(open);
    expect(answer.closed.map((line) => `${line.id} ${line.opensAt}`)).toEqual(closed ? [closed] : []);
  });

  it('when a stated exception has a note, then the note is said that day only', () => {
    expect(supportNow(shortened, local('2027-06-24T09:00'), 'provider').notes).toEqual(['Kortare öppettider dagen före helgdag.']);
    expect(supportNow(shortened, local('2026-12-30T09:00'), 'provider').notes).toEqual(['Kommunsupport har stängt för inventering.']);
    expect(supportNow(shortened, local('2027-06-23T09:00'), 'provider').notes).toEqual([]);
    // Staff also follow the IT line, whose day-before-holiday note the policy left as it was.
    expect(supportNow(shortened, local('2027-06-24T09:00'), 'staff').notes).toEqual([
      'Kortare öppettider dagen före helgdag.',
      'Andra tider kan förekomma dagen före helgdag.',
    ]);
  });

  it('when a line is open until 24:00 and from 00:00 the next day, then it is open until the run of hours ends', () => {
    const allNight = policyWith((now) => {
      const lock = now.lines.find((line: any) => line.id === LOCK);
      lock.hours = [{ weekdays: [6, 7], from: '00:00', to: '24:00' }];
      lock.exceptions = [];
    });
    const answer = supportNow(allNight, local('2026-12-05T23:00'), 'staff');
    expect(answer.open.map((line) => `${line.id} ${line.until} ${line.untilText}`)).toEqual([`${LOCK} 2026-12-07T00:00:00+01:00 måndag 7 december 2026 kl. 00.00`]);
  });

  it('when the policy predates the support lines, then nothing is open and the advice is its hours texts', () => {
    const old = structuredClone(policy) as any;
    delete old.support.now;
    const answer = supportNow(old as Policy, local('2026-12-01T09:00'), 'provider');
    expect(answer.open).toEqual([]);
    expect(answer.advice).toEqual(policy.support.hours.filter((line) => line.for.includes('provider')).map((line) => line.text));
  });
});
