import ical, { foldLines as generatorFold, ICalCalendarMethod } from 'ical-generator';
import { describe, expect, it } from 'vitest';
import { buildInvite, inviteEvent, type InviteInput } from '../../src/messages/calendar-invite.js';
import { foldLines } from '../../src/messages/ical-fold.js';
import { vtimezone } from '../../src/messages/vtimezone.js';
import type { Audience } from '../../src/policy/policy-schema.js';
import { aWindow, local, policy } from './fixtures.js';

/** A small seeded generator, so a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** One-, two-, three- and four-octet characters, lone surrogates and text that folds. */
const PIECES = ['a', 'Z', ' ', ';', ',', '\\n', 'å', 'ä', 'Ö', 'é', '€', '–', '—', '😀', '🛠️', '\ud83d', '\ude00', 'ß', '中', 'Uppgradering ', 'x'.repeat(70)];

function randomText(next: () => number, maxPieces: number): string {
  let text = '';
  const count = Math.floor(next() * maxPieces);
  for (let i = 0; i < count; i++) text += PIECES[Math.floor(next() * PIECES.length)];
  return text;
}

describe('foldLines', () => {
  it('when given thousands of random lines of mixed characters, then it folds exactly as ical-generator does', () => {
    const next = random(20261128);
    for (let i = 0; i < 5000; i++) {
      const input = Array.from({ length: 1 + Math.floor(next() * 4) }, () => randomText(next, 60)).join('\r\n');
      expect(foldLines(input), JSON.stringify(input)).toBe(generatorFold(input));
    }
  });

  it('when a line passes 74 octets, then it is continued after CRLF and a space, and no line passes 75 octets', () => {
    const folded = foldLines(`DESCRIPTION:${'å'.repeat(100)}`);
    expect(folded).toContain('\r\n ');
    for (const line of folded.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(`DESCRIPTION:${'å'.repeat(100)}`);
  });
});

const organizer = { name: 'Driftstopp Örebro kommun', email: 'driftstopp@orebro.se' };

/** The invitation as ical-generator wrote it whole before: one calendar, its VTIMEZONE from a generator, `toString()`. */
function generatorInvite(input: Omit<InviteInput, 'attendee'>): string {
  const event = inviteEvent(input);
  const calendar = ical({
    prodId: { company: input.policy.municipality, product: 'driftstopp', language: 'SV' },
    method: input.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    timezone: { name: null, generator: (name: string) => vtimezone(name, event.start.year - 1, event.end.year + 1) },
  });
  calendar.createEvent(event);
  return calendar.toString();
}

describe('buildInvite against ical-generator', () => {
  it('when windows of random titles, texts, times, methods and audiences are written, then each invitation is byte for byte what ical-generator writes', () => {
    const next = random(4711);
    const audiences: Audience[] = ['managers', 'egetval', 'intranet'];
    for (let i = 0; i < 400; i++) {
      const start = new Date(local('2026-12-01T00:00').getTime() + Math.floor(next() * 3 * 365 * 96) * 15 * 60_000);
      const input: Omit<InviteInput, 'attendee'> = {
        window: aWindow({
          id: `window-${i}`,
          title: randomText(next, 12) || 'Uppgradering',
          description: randomText(next, 20),
          systems: next() < 0.5 ? ['tes'] : ['tes', 'careapp'],
          start,
          end: new Date(start.getTime() + (1 + Math.floor(next() * 40)) * 30 * 60_000),
          revision: 1 + Math.floor(next() * 4),
          cancelReason: next() < 0.5 ? randomText(next, 8) : null,
        }),
        policy,
        method: next() < 0.3 ? 'CANCEL' : 'REQUEST',
        organizer,
        audience: audiences[Math.floor(next() * audiences.length)],
        stamp: new Date(start.getTime() - 86_400_000),
      };
      expect(buildInvite(input)).toBe(generatorInvite(input));
    }
  });

  it('when the policy runs on UTC, then, as ical-generator writes it, the invitation has no VTIMEZONE', () => {
    const input = { window: aWindow(), policy: { ...policy, timezone: 'UTC' }, method: 'REQUEST' as const, organizer, stamp: local('2027-03-01T08:00') };
    const ics = buildInvite(input);
    expect(ics).not.toContain('BEGIN:VTIMEZONE');
    expect(ics).toBe(generatorInvite(input));
  });
});
