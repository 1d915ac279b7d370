import { describe, expect, it } from 'vitest';
import { notModified, strongEtag } from '../../src/http/routes/public-routes.js';
import { publicListing } from '../../src/publications/public-listing.js';
import type { PublishedWindow } from '../../src/publications/public-windows.js';
import { windowRow } from '../support/rows.js';
import { local, policy } from './public-fixtures.js';

function published(overrides: Parameters<typeof windowRow>[0] = {}, extra: Partial<PublishedWindow> = {}): PublishedWindow {
  return {
    window: windowRow({
      id: '6f1c2b1e-2f4a-4c55-9d0e-0a8f1b2c3d4e',
      systems: ['careapp', 'tes'],
      created_at: local('2027-03-01T10:00'),
      updated_at: local('2027-03-01T10:00'),
      ...overrides,
    }),
    publishedAt: local('2027-03-23T08:00'),
    previous: null,
    ...extra,
  };
}

const listing = (entry: PublishedWindow, now: string, lastEndedAt: Date | null = null) =>
  publicListing({ windows: [entry], lastEndedAt }, policy, local(now));

describe('publicListing', () => {
  it('when a published window lies ahead, then it is planned, in the policy order of systems, without the staff note on routines', () => {
    const [item] = listing(published(), '2027-03-24T10:00').items;
    expect(item).toMatchObject({ status: 'planned', statusLabel: 'Planerat', systemNames: 'Tes och CareApp', theSystems: 'Systemen', when: 'tisdag 30 mars 2027 kl. 09.00–12.00' });
    expect(item!.advice).toEqual([]);
  });

  it('when CareLock is affected, then the backup-key advice is given only if the policy marks it for the public', () => {
    const [item] = listing(published({ systems: ['carelock'] }), '2027-03-24T10:00').items;
    expect(item!.advice).toEqual([]);
    expect(item!.theSystems).toBe('Systemet');
    const forPublic = { ...policy, support: { ...policy.support, lockFaults: { text: 'Använd reservnyckeln.', for: ['public' as const] } } };
    const [shown] = publicListing({ windows: [published({ systems: ['carelock'] })], lastEndedAt: null }, forPublic, local('2027-03-24T10:00')).items;
    expect(shown!.advice).toEqual(['Använd reservnyckeln.']);
  });

  it('when the window has started by the clock, then it reads "Pågår" even before a worker marks it', () => {
    const [item] = listing(published(), '2027-03-30T09:00').items;
    expect(item!.status).toBe('ongoing');
  });

  it('when the time told before differs, then it reads "Ändrad tid" with the earlier time; a change of systems only does not', () => {
    const previous = { start: local('2027-03-24T09:00'), end: local('2027-03-24T12:00') };
    const [moved] = listing(published({ revision: 2 }, { previous }), '2027-03-23T10:00').items;
    expect(moved).toMatchObject({ status: 'rescheduled', statusLabel: 'Ändrad tid', previousWhen: 'onsdag 24 mars 2027 kl. 09.00–12.00' });
    const same = { start: local('2027-03-30T09:00'), end: local('2027-03-30T12:00') };
    const [unmoved] = listing(published({ revision: 2 }, { previous: same }), '2027-03-23T10:00').items;
    expect(unmoved).toMatchObject({ status: 'planned', previousWhen: null });
  });

  it('when the window is cancelled, then it reads "Inställt" with its reason and no advice', () => {
    const [item] = listing(published({ status: 'cancelled', cancel_reason: '  Leverantören är inte klar ' }), '2027-03-24T10:00').items;
    expect(item).toMatchObject({ status: 'cancelled', statusLabel: 'Inställt', cancelReason: 'Leverantören är inte klar', advice: [] });
  });

  it('when nothing was ever published, then there is no Last-Modified', () => {
    expect(publicListing({ windows: [], lastEndedAt: null }, policy, local('2027-03-24T10:00')).lastModified).toBeNull();
  });

  it('when the latest thing that happened is a publication, a change, a start or an end, then that is Last-Modified', () => {
    const entry = published({ updated_at: local('2027-03-25T14:00') });
    expect(listing(entry, '2027-03-24T10:00', local('2027-03-10T12:00')).lastModified).toEqual(local('2027-03-23T08:00'));
    expect(listing(entry, '2027-03-26T10:00').lastModified).toEqual(local('2027-03-25T14:00'));
    expect(listing(entry, '2027-03-30T10:00').lastModified).toEqual(local('2027-03-30T09:00'));
    expect(listing(entry, '2027-03-26T10:00', local('2027-03-26T09:00')).lastModified).toEqual(local('2027-03-26T09:00'));
  });
});

describe('notModified', () => {
  const etag = strongEtag('body');
  const lastModified = new Date('2027-03-20T07:05:00.400Z');

  it('when If-None-Match names the tag, weakly or in a list, or is *, then it is not modified', () => {
    expect(notModified({ 'if-none-match': etag }, etag, lastModified)).toBe(true);
    expect(notModified({ 'if-none-match': `W/${etag}` }, etag, lastModified)).toBe(true);
    expect(notModified({ 'if-none-match': `"x", ${etag}` }, etag, lastModified)).toBe(true);
    expect(notModified({ 'if-none-match': '*' }, etag, lastModified)).toBe(true);
    expect(notModified({ 'if-none-match': '"x"' }, etag, lastModified)).toBe(false);
  });

  it('when If-None-Match is present, then If-Modified-Since is not looked at', () => {
    expect(notModified({ 'if-none-match': '"x"', 'if-modified-since': 'Sat, 20 Mar 2027 07:05:00 GMT' }, etag, lastModified)).toBe(false);
  });

  it('when If-Modified-Since is the Last-Modified second or later, then it is not modified; earlier or unreadable, it is', () => {
    expect(notModified({ 'if-modified-since': 'Sat, 20 Mar 2027 07:05:00 GMT' }, etag, lastModified)).toBe(true);
    expect(notModified({ 'if-modified-since': 'Sat, 20 Mar 2027 08:00:00 GMT' }, etag, lastModified)).toBe(true);
    expect(notModified({ 'if-modified-since': 'Sat, 20 Mar 2027 07:04:59 GMT' }, etag, lastModified)).toBe(false);
    expect(notModified({ 'if-modified-since': 'igår' }, etag, lastModified)).toBe(false);
    expect(notModified({ 'if-modified-since': 'Sat, 20 Mar 2027 07:05:00 GMT' }, etag, null)).toBe(false);
  });
});
