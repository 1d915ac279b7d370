import { describe, expect, it } from 'vitest';
import { parseSeriesForm, readSeriesForm } from '../../src/admin/series-form.js';
import { loadPolicy } from '../../src/policy/load-policy.js';

const policy = loadPolicy();

const typed = (extra: Record<string, unknown> = {}) =>
  readSeriesForm({ titel: 'Ny version av Tes', system: 'tes', upprepning: 'biweekly', veckodag: 'TU', forsta: '2027-01-05', starttid: '09:00', sluttid: '11:00', antal: '10', ...extra });

describe('the series form', () => {
  it('when every other Tuesday is chosen, then the series command gets FREQ=WEEKLY;INTERVAL=2;BYDAY=TU with the count', () => {
    const parsed = parseSeriesForm(typed(), policy, true);
    expect(parsed.errors).toEqual([]);
    expect(parsed.value).toMatchObject({ rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU', dtstart: '2027-01-05', start: '09:00', end: '11:00', count: 10, until: undefined, dryRun: true, systems: ['tes'] });
  });

  it('when every week on a Wednesday until a date is chosen, then the rule and the last day are passed on', () => {
    const parsed = parseSeriesForm(typed({ upprepning: 'weekly', veckodag: 'WE', antal: '', sista: '2027-06-30' }), policy, false);
    expect(parsed.value).toMatchObject({ rrule: 'FREQ=WEEKLY;INTERVAL=1;BYDAY=WE', until: '2027-06-30', count: undefined, dryRun: false });
  });

  it('when a raw rule is chosen, then it is passed on as typed, and an empty one is asked for', () => {
    expect(parseSeriesForm(typed({ upprepning: 'custom', regel: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1' }), policy, true).value?.rrule).toBe('FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1');
    expect(parseSeriesForm(typed({ upprepning: 'custom' }), policy, true).errors.map((e) => e.path)).toEqual(['rrule']);
  });

  it('when both a count and a last day, or neither, are given, then the form asks for one of them', () => {
    expect(parseSeriesForm(typed({ sista: '2027-06-30' }), policy, true).errors.map((e) => [e.path, e.code])).toEqual([['count', 'both']]);
    expect(parseSeriesForm(typed({ antal: '' }), policy, true).errors.map((e) => [e.path, e.code])).toEqual([['count', 'required']]);
    expect(parseSeriesForm(typed({ antal: '0' }), policy, true).errors.map((e) => [e.path, e.code])).toEqual([['count', 'invalid']]);
  });
});
