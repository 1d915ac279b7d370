import { describe, expect, it } from 'vitest';
import { noticeSteps, planNotices, scheduleStep, type NoticeStep } from '../../src/rules/notice-plan.js';
import { defaultRuleBook, local, summarize, utc, withChase, z } from './rule-book.js';

const rules = defaultRuleBook();
const registeredEarly = utc('2026-11-25T12:00:00Z');

function minorPlan(start: string, now = registeredEarly, shortNotice = false) {
  return planNotices(rules, { kind: 'minor', start: local(start) }, now, { shortNotice });
}

describe('noticeSteps', () => {
  it('when the window is minor, then each audience is announced at its lead and managers and Eget Val are reminded', () => {
    expect(noticeSteps('minor', rules.policy)).toEqual([
      { audience: 'managers', kind: 'announcement', leadDays: 14 },
      { audience: 'egetval', kind: 'announcement', leadDays: 14 },
      { audience: 'intranet', kind: 'announcement', leadDays: 7 },
      { audience: 'public', kind: 'announcement', leadDays: 7 },
      { audience: 'managers', kind: 'reminder', leadDays: null },
      { audience: 'egetval', kind: 'reminder', leadDays: null },
    ]);
  });

  it('when the window is extensive, then the first step per audience announces and later ones remind', () => {
    expect(noticeSteps('extensive', rules.policy)).toEqual([
      { audience: 'managers', kind: 'announcement', leadDays: 28 },
      { audience: 'egetval', kind: 'announcement', leadDays: 28 },
      { audience: 'intranet', kind: 'announcement', leadDays: 14 },
      { audience: 'public', kind: 'announcement', leadDays: 14 },
      { audience: 'managers', kind: 'reminder', leadDays: 7 },
      { audience: 'egetval', kind: 'reminder', leadDays: 7 },
      { audience: 'managers', kind: 'reminder', leadDays: null },
      { audience: 'egetval', kind: 'reminder', leadDays: null },
    ]);
  });

  it('when a custom plan lists steps out of order and skips managers, then it is sorted and managers get no reminder', () => {
    const plan = [
      { audience: 'public', leadDays: 3 },
      { audience: 'egetval', leadDays: 10 },
      { audience: 'public', leadDays: 21 },
    ] as const;
    expect(noticeSteps('extensive', rules.policy, plan)).toEqual([
      { audience: 'public', kind: 'announcement', leadDays: 21 },
      { audience: 'egetval', kind: 'announcement', leadDays: 10 },
      { audience: 'public', kind: 'reminder', leadDays: 3 },
      { audience: 'egetval', kind: 'reminder', leadDays: null },
    ]);
  });

  it('when the policy default plan is used, then the frozen policy array is left as it is', () => {
    const before = rules.policy.extensivePlan.map((s) => s.leadDays);
    noticeSteps('extensive', rules.policy);
    expect(rules.policy.extensivePlan.map((s) => s.leadDays)).toEqual(before);
  });
});

describe('planNotices for a minor window in good time', () => {
  it('when the window is Tuesday 2027-03-30 09:00, then notices fall at 08:00 local and the reminder skips Easter', () => {
    const { notices, overdue } = minorPlan('2027-03-30T09:00');
    expect(overdue).toEqual([]);
    expect(notices.map(summarize)).toEqual([
      { audience: 'managers', kind: 'announcement', leadDays: 14, dueAt: '2027-03-16T07:00:00.000Z', late: false },
      { audience: 'egetval', kind: 'announcement', leadDays: 14, dueAt: '2027-03-16T07:00:00.000Z', late: false },
      { audience: 'intranet', kind: 'announcement', leadDays: 7, dueAt: '2027-03-23T07:00:00.000Z', late: false },
      { audience: 'public', kind: 'announcement', leadDays: 7, dueAt: '2027-03-23T07:00:00.000Z', late: false },
      // 29 March is Easter Monday and 26 March Good Friday: the previous business day is Thursday 25 March.
      { audience: 'managers', kind: 'reminder', leadDays: null, dueAt: '2027-03-25T07:00:00.000Z', late: false },
      { audience: 'egetval', kind: 'reminder', leadDays: null, dueAt: '2027-03-25T07:00:00.000Z', late: false },
    ]);
    expect(notices.map((n) => n.dueAt.toISO())).toEqual([
      '2027-03-16T08:00:00.000+01:00',
      '2027-03-16T08:00:00.000+01:00',
      '2027-03-23T08:00:00.000+01:00',
      '2027-03-23T08:00:00.000+01:00',
      '2027-03-25T08:00:00.000+01:00',
      '2027-03-25T08:00:00.000+01:00',
    ]);
  });

  it('when a 14-day rule day is kept, then requiredBy is the end of that local day and the reminder is required by the start', () => {
    const { notices } = minorPlan('2027-03-30T09:00');
    expect(notices.map((n) => z(n.requiredBy))).toEqual([
      '2027-03-16T23:00:00.000Z',
      '2027-03-16T23:00:00.000Z',
      '2027-03-23T23:00:00.000Z',
      '2027-03-23T23:00:00.000Z',
      '2027-03-30T07:00:00.000Z',
      '2027-03-30T07:00:00.000Z',
    ]);
  });

  it('when the 14-day date is Epiphany 2027-01-06, then the notice moves back to Tuesday 2027-01-05 08:00', () => {
    const { notices } = minorPlan('2027-01-20T09:00');
    expect(notices.map(summarize)).toEqual([
      { audience: 'managers', kind: 'announcement', leadDays: 14, dueAt: '2027-01-05T07:00:00.000Z', late: false },
      { audience: 'egetval', kind: 'announcement', leadDays: 14, dueAt: '2027-01-05T07:00:00.000Z', late: false },
      { audience: 'intranet', kind: 'announcement', leadDays: 7, dueAt: '2027-01-13T07:00:00.000Z', late: false },
      { audience: 'public', kind: 'announcement', leadDays: 7, dueAt: '2027-01-13T07:00:00.000Z', late: false },
      { audience: 'managers', kind: 'reminder', leadDays: null, dueAt: '2027-01-19T07:00:00.000Z', late: false },
      { audience: 'egetval', kind: 'reminder', leadDays: null, dueAt: '2027-01-19T07:00:00.000Z', late: false },
    ]);
    // Moving earlier never loosens the rule: it is still kept until Epiphany ends.
    expect(z(notices[0]!.requiredBy)).toBe('2027-01-06T23:00:00.000Z');
  });
});

describe('scheduleStep on non-business days', () => {
  const announce = (leadDays: number): NoticeStep => ({ audience: 'managers', kind: 'announcement', leadDays });

  it.each([
    ['2028-01-07T09:00', 14, '2027-12-23T07:00:00.000Z', 'Christmas eve 2027-12-24 → 23rd'],
    ['2028-01-07T09:00', 7, '2027-12-30T07:00:00.000Z', "New Year's eve 2027-12-31 → 30th"],
    ['2027-07-02T09:00', 7, '2027-06-24T06:00:00.000Z', 'midsummer eve 2027-06-25 → 24th'],
    ['2027-03-27T10:00', 14, '2027-03-12T07:00:00.000Z', 'Saturday 2027-03-13 → Friday'],
    ['2027-09-12T10:00', 7, '2027-09-03T06:00:00.000Z', 'Sunday 2027-09-05 → Friday'],
  ])('when the window starts %s with %i lead days, then the notice is due %s (%s)', (start, leadDays, expected) => {
    const { dueAt } = scheduleStep(rules, announce(leadDays), local(start));
    expect(z(dueAt)).toBe(expected);
    expect(dueAt.setZone('Europe/Stockholm').hour).toBe(8);
  });

  it('when the lead is 0 days and the window starts before the send time, then the notice is due at the start', () => {
    const start = local('2027-05-18T06:00');
    const { dueAt, requiredBy } = scheduleStep(rules, announce(0), start);
    expect(z(dueAt)).toBe('2027-05-18T04:00:00.000Z');
    expect(z(requiredBy)).toBe('2027-05-18T04:00:00.000Z');
  });
});

describe('planNotices close to the window', () => {
  it('when now is 10:00 on the 14-day date, then those announcements go out at now and are not late', () => {
    const now = local('2027-04-06T10:00');
    const { notices, overdue } = minorPlan('2027-04-20T09:00', now);
    expect(overdue).toEqual([]);
    expect(notices.map(summarize)).toEqual([
      { audience: 'managers', kind: 'announcement', leadDays: 14, dueAt: '2027-04-06T08:00:00.000Z', late: false },
      { audience: 'egetval', kind: 'announcement', leadDays: 14, dueAt: '2027-04-06T08:00:00.000Z', late: false },
      { audience: 'intranet', kind: 'announcement', leadDays: 7, dueAt: '2027-04-13T06:00:00.000Z', late: false },
      { audience: 'public', kind: 'announcement', leadDays: 7, dueAt: '2027-04-13T06:00:00.000Z', late: false },
      { audience: 'managers', kind: 'reminder', leadDays: null, dueAt: '2027-04-19T06:00:00.000Z', late: false },
      { audience: 'egetval', kind: 'reminder', leadDays: null, dueAt: '2027-04-19T06:00:00.000Z', late: false },
    ]);
  });

  it('when now is exactly midnight after the 14-day date, then those announcements are overdue', () => {
    const now = local('2027-04-07T00:00');
    const { notices, overdue } = minorPlan('2027-04-20T09:00', now);
    expect(overdue).toEqual([
      { audience: 'managers', kind: 'announcement', leadDays: 14 },
      { audience: 'egetval', kind: 'announcement', leadDays: 14 },
    ]);
    expect(notices.map((n) => n.audience)).toEqual(['intranet', 'public', 'managers', 'egetval']);
    expect(notices.map((n) => n.kind)).toEqual(['announcement', 'announcement', 'reminder', 'reminder']);
  });

  it('when registered the day before with short notice, then every announcement is late at now and reminders are dropped', () => {
    const now = local('2027-04-19T12:00');
    const { notices, overdue } = minorPlan('2027-04-20T09:00', now, true);
    expect(overdue.map((s) => s.audience)).toEqual(['managers', 'egetval', 'intranet', 'public']);
    expect(notices.map(summarize)).toEqual(
      ['managers', 'egetval', 'intranet', 'public'].map((audience, i) => ({
        audience,
        kind: 'announcement',
        leadDays: i < 2 ? 14 : 7,
        dueAt: '2027-04-19T10:00:00.000Z',
        late: true,
      })),
    );
  });

  it('when registered the day before without short notice, then overdue steps get no notice at all', () => {
    const { notices, overdue } = minorPlan('2027-04-20T09:00', local('2027-04-19T12:00'));
    expect(overdue).toHaveLength(4);
    expect(notices).toEqual([]);
  });

  it('when explicit steps are given, then they replace the policy steps', () => {
    const steps: NoticeStep[] = [{ audience: 'intranet', kind: 'announcement', leadDays: 2 }];
    const { notices } = planNotices(rules, { kind: 'minor', start: local('2027-04-20T09:00') }, registeredEarly, {
      shortNotice: false,
      steps,
    });
    expect(notices.map(summarize)).toEqual([
      { audience: 'intranet', kind: 'announcement', leadDays: 2, dueAt: '2027-04-16T06:00:00.000Z', late: false },
    ]);
  });
});

describe('the acknowledgement chase', () => {
  const chasing = withChase();
  const chases = (start: string, now = registeredEarly) =>
    planNotices(chasing, { kind: 'minor', start: local(start) }, now, { shortNotice: true }).notices.filter((n) => n.chase);

  it('when the window is Tuesday 2027-03-30 09:00, then managers are chased at 08:00 three business days before, Easter skipped', () => {
    // Friday 26 and Monday 29 March 2027 are Good Friday and Easter Monday: Thu 25, Wed 24, Tue 23.
    expect(chases('2027-03-30T09:00').map(summarize)).toEqual([
      { audience: 'managers', kind: 'reminder', leadDays: null, dueAt: '2027-03-23T07:00:00.000Z', late: false },
    ]);
  });

  it('when the chase time has passed (a window on short notice), then no chase is planned', () => {
    expect(chases('2027-03-30T09:00', local('2027-03-24T10:00'))).toEqual([]);
  });

  it('when the policy includes providers and chases 5 business days before, then Eget Val is chased too, at that time', () => {
    const policy = { ...chasing.policy, acknowledgement: { ...chasing.policy.acknowledgement, audiences: ['managers', 'egetval'] as ('managers' | 'egetval')[], chaseBusinessDaysBefore: 5 } };
    const rules = { ...chasing, policy };
    const planned = planNotices(rules, { kind: 'minor', start: local('2027-05-18T09:00') }, registeredEarly, { shortNotice: false }).notices.filter((n) => n.chase);
    expect(planned.map((n) => [n.audience, z(n.dueAt)])).toEqual([
      ['managers', '2027-05-11T06:00:00.000Z'],
      ['egetval', '2027-05-11T06:00:00.000Z'],
    ]);
  });

  it('when chaseBusinessDaysBefore is null, then nobody is chased', () => {
    expect(noticeSteps('minor', defaultRuleBook().policy).filter((s) => s.chase)).toEqual([]);
  });
});
