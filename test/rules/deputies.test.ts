import { describe, expect, it } from 'vitest';
import { deputyCovers, deputyRangeErrors, localDate } from '../../src/rules/deputies.js';

describe('deputies', () => {
  it('when a message goes out, then the day that counts is its local date in the policy zone, also around midnight and daylight saving', () => {
    expect(localDate(new Date('2027-03-29T21:59:59Z'), 'Europe/Stockholm')).toBe('2027-03-29');
    expect(localDate(new Date('2027-03-29T22:00:00Z'), 'Europe/Stockholm')).toBe('2027-03-30');
    // The night summer time begins (28 March 2027, 02:00 → 03:00): midnight is 23:00 UTC the day before.
    expect(localDate(new Date('2027-03-27T23:00:00Z'), 'Europe/Stockholm')).toBe('2027-03-28');
    expect(localDate(new Date('2027-03-27T23:00:00Z'), 'Europe/Helsinki')).toBe('2027-03-28');
    expect(localDate(new Date('2027-03-27T21:59:59Z'), 'Europe/Helsinki')).toBe('2027-03-27');
  });

  it('when a range is asked about a day, then both its first and its last day are covered and no other', () => {
    const range = { from: '2027-03-16', to: '2027-03-26' };
    expect(['2027-03-15', '2027-03-16', '2027-03-26', '2027-03-27'].map((d) => deputyCovers(range, d))).toEqual([false, true, true, false]);
    expect(deputyCovers(null, '2027-03-16')).toBe(false);
  });

  it.each([
    [{ from: '2027-03-16', to: '2027-03-16' }, null, []],
    [{ from: '2027-03-15', to: '2027-03-20' }, null, [{ field: 'from', code: 'in_past' }]],
    [{ from: '2027-03-10', to: '2027-03-20' }, '2027-03-10', []],
    [{ from: '2027-03-18', to: '2027-03-17' }, null, [{ field: 'to', code: 'to_before_from' }]],
    [{ from: '2027-03-16', to: '2027-03-15' }, null, [{ field: 'to', code: 'in_past' }]],
    [{ from: '2027-02-29', to: '2027-13-01' }, null, [{ field: 'from', code: 'invalid_date' }, { field: 'to', code: 'invalid_date' }]],
    [{ from: '2027-3-16', to: '' }, null, [{ field: 'from', code: 'invalid_date' }, { field: 'to', code: 'invalid_date' }]],
    [{ from: '2027-03-16', to: '2028-03-16' }, null, []],
    [{ from: '2027-03-16', to: '2028-03-17' }, null, [{ field: 'to', code: 'too_far_ahead' }]],
  ])('when %j is asked on 2027-03-16 (stored first day %s), then the errors are %j', (range, storedFrom, errors) => {
    expect(deputyRangeErrors(range, '2027-03-16', storedFrom)).toEqual(errors);
  });
});
