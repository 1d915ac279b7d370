import { describe, expect, it } from 'vitest';
import type { Audience } from '../../src/policy/policy-schema.js';
import {
  audiencesToTellOfChange,
  compareNotices,
  FEED_KEY,
  isSelected,
  mustWaitForInFlight,
  owesCatchUp,
  selectionFor,
  stillToAnnounce,
  WEBHOOK_KEY,
  whoWasTold,
  type DeliveryFact,
  type NoticeFact,
} from '../../src/rules/told.js';

const PUBLICATIONS: ReadonlySet<Audience> = new Set(['intranet', 'public']);
const SENT_AT = new Date('2027-03-16T07:00:00Z');

const notice = (id: string, audience: Audience, overrides: Partial<NoticeFact> = {}): NoticeFact => ({
  id,
  audience,
  kind: 'announcement',
  status: 'sent',
  dispatched_at: SENT_AT,
  ...overrides,
});
const delivery = (noticeId: string, key: string, status: DeliveryFact['status']): DeliveryFact => ({ notice_id: noticeId, recipient_key: key, status });

describe('who was told', () => {
  it('when an announcement reached one manager, failed for another and is being sent to a third, then only the first is told', () => {
    const told = whoWasTold(
      [notice('n1', 'managers')],
      [delivery('n1', 'anna', 'sent'), delivery('n1', 'bo', 'failed'), delivery('n1', 'cecilia', 'sending'), delivery('n1', 'david', 'cancelled')],
      PUBLICATIONS,
    ).get('managers')!;
    expect([...told.told]).toEqual(['anna']);
    expect([...told.inFlight]).toEqual(['cecilia']);
    // Tried: everyone but the one whose delivery was withdrawn before it left.
    expect([...told.tried].sort()).toEqual(['anna', 'bo', 'cecilia']);
    expect(told.announced).toBe(true);
  });

  it('when the Eget Val announcement went out to nobody, then Eget Val is announced but nobody was told, and a change tells it nothing', () => {
    const told = whoWasTold([notice('n1', 'egetval')], [], PUBLICATIONS);
    expect(told.get('egetval')).toMatchObject({ announced: true });
    expect(told.get('egetval')!.told.size).toBe(0);
    expect(audiencesToTellOfChange(told)).toEqual([]);
    expect(stillToAnnounce(told, 'egetval')).toBe(false);
  });

  it('when a publication went out without a CMS endpoint, then the feeds told it; with an endpoint that answered 500, nobody was told', () => {
    const feedsOnly = whoWasTold([notice('n1', 'intranet')], [], PUBLICATIONS).get('intranet')!;
    expect([...feedsOnly.told]).toEqual([FEED_KEY]);
    const failing = whoWasTold([notice('n1', 'public', { status: 'pending' })], [delivery('n1', WEBHOOK_KEY, 'pending')], PUBLICATIONS).get('public')!;
    expect(failing.told.size).toBe(0);
    const answered = whoWasTold([notice('n1', 'public')], [delivery('n1', WEBHOOK_KEY, 'sent')], PUBLICATIONS).get('public')!;
    expect([...answered.told]).toEqual([WEBHOOK_KEY]);
  });

  it('when a publication notice was withdrawn after its fan-out, then the feeds told nothing', () => {
    const told = whoWasTold([notice('n1', 'public', { status: 'cancelled' })], [], PUBLICATIONS).get('public')!;
    expect(told.told.size).toBe(0);
  });

  it('when only a cancellation reached someone, then nobody counts as told of the window', () => {
    const told = whoWasTold(
      [notice('n1', 'managers', { kind: 'cancellation' })],
      [delivery('n1', 'anna', 'sent')],
      PUBLICATIONS,
    );
    expect(told.get('managers')!.told.size).toBe(0);
    expect(told.get('managers')!.reachedNotices.has('n1')).toBe(true);
  });

  it('when managers were told and the intranet has a message in flight, then both must hear of a change, in the routine\'s order', () => {
    const told = whoWasTold(
      [notice('n2', 'intranet'), notice('n1', 'managers')],
      [delivery('n1', 'anna', 'sent'), delivery('n2', WEBHOOK_KEY, 'sending')],
      PUBLICATIONS,
    );
    expect(audiencesToTellOfChange(told)).toEqual(['managers', 'intranet']);
    expect(mustWaitForInFlight(told, 'intranet')).toBe(true);
    expect(mustWaitForInFlight(told, 'managers')).toBe(false);
  });

  it('when an announcement was only planned, then it is still to announce', () => {
    const told = whoWasTold([notice('n1', 'managers', { status: 'pending', dispatched_at: null })], [], PUBLICATIONS);
    expect(stillToAnnounce(told, 'managers')).toBe(true);
  });
});

describe('whom a notice reaches', () => {
  const told = whoWasTold(
    [notice('n1', 'managers')],
    [delivery('n1', 'anna', 'sent'), delivery('n1', 'bo', 'failed'), delivery('n1', 'cecilia', 'cancelled')],
    PUBLICATIONS,
  ).get('managers')!;

  it('when an announcement goes out again, then it reaches subscribers never tried: a newcomer and one whose delivery was withdrawn', () => {
    const selection = selectionFor('announcement', told);
    expect(isSelected(selection, 'newcomer', true)).toBe(true);
    expect(isSelected(selection, 'cecilia', true)).toBe(true);
    expect(isSelected(selection, 'anna', true)).toBe(false);
    expect(isSelected(selection, 'bo', true)).toBe(false);
    expect(isSelected(selection, 'removed', false)).toBe(false);
  });

  it('when an update or cancellation goes out, then it reaches exactly those told, subscribed or not', () => {
    for (const kind of ['update', 'cancellation'] as const) {
      const selection = selectionFor(kind, told);
      expect(isSelected(selection, 'anna', false)).toBe(true);
      expect(isSelected(selection, 'anna', true)).toBe(true);
      expect(isSelected(selection, 'bo', true)).toBe(false);
      expect(isSelected(selection, 'newcomer', true)).toBe(false);
    }
  });

  it('when a reminder goes out, then it reaches the current subscribers only', () => {
    const selection = selectionFor('reminder', told);
    expect(isSelected(selection, 'anna', true)).toBe(true);
    expect(isSelected(selection, 'anna', false)).toBe(false);
  });

  it('when a chase goes out, then it reaches those told who still subscribe and have not confirmed, nobody else', () => {
    const bothTold = whoWasTold([notice('n1', 'managers')], [delivery('n1', 'anna', 'sent'), delivery('n1', 'bo', 'sent')], PUBLICATIONS).get('managers')!;
    const selection = selectionFor('reminder', bothTold, { acknowledged: new Set(['anna']) });
    expect(isSelected(selection, 'bo', true)).toBe(true);
    expect(isSelected(selection, 'anna', true)).toBe(false);
    expect(isSelected(selection, 'bo', false)).toBe(false);
    expect(isSelected(selection, 'newcomer', true)).toBe(false);
  });
});

describe('catch-ups and order', () => {
  const now = new Date('2027-03-20T10:00:00Z');
  it('when a window is planned or running and not ended, then newcomers are owed; cancelled or ended, never', () => {
    const ends = new Date('2027-03-30T10:00:00Z');
    expect(owesCatchUp({ status: 'scheduled', end_at: ends }, now)).toBe(true);
    expect(owesCatchUp({ status: 'in_progress', end_at: ends }, now)).toBe(true);
    expect(owesCatchUp({ status: 'cancelled', end_at: ends }, now)).toBe(false);
    expect(owesCatchUp({ status: 'scheduled', end_at: now }, now)).toBe(false);
  });

  it('when notices are due at one instant, then they are listed in the routine\'s audience order, not alphabetically', () => {
    const at = (audience: Audience) => ({ audience, due_at: now, created_at: now });
    const sorted = [at('public'), at('egetval'), at('intranet'), at('managers')].sort(compareNotices).map((n) => n.audience);
    expect(sorted).toEqual(['managers', 'intranet', 'public', 'egetval']);
  });
});
