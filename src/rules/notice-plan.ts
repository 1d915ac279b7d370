import type { DateTime } from 'luxon';
import { AUDIENCES, type Audience, type PlanStep, type Policy } from '../policy/policy-schema.js';
import type { BusinessCalendar } from './business-calendar.js';

export type WindowKind = 'minor' | 'extensive';
export type NoticeKind = 'announcement' | 'update' | 'cancellation' | 'reminder';

/** The policy and its calendar: everything the rules need besides the window and `now`. */
export interface RuleBook {
  policy: Policy;
  calendar: BusinessCalendar;
}

/** One step of a notice plan, before it is placed in time. */
export interface NoticeStep {
  audience: Audience;
  kind: 'announcement' | 'reminder';
  /** Calendar days before the window's start date; null for the business-day reminder. */
  leadDays: number | null;
  /** The acknowledgement's chase: a reminder, on its own business days, to those told who have not confirmed. */
  chase?: true | undefined;
}

export interface PlannedNotice extends NoticeStep {
  /** When the notice is to be sent. */
  dueAt: DateTime;
  /** The latest instant that still keeps the rule; sending at or after it is late. */
  requiredBy: DateTime;
  late: boolean;
}

export interface NoticePlan {
  notices: PlannedNotice[];
  /** Steps whose rule can no longer be kept; empty unless notice is too short. */
  overdue: NoticeStep[];
}

/**
 * The steps a window's notices follow. Minor windows use each audience's lead time;
 * extensive windows their own plan or the policy's default. Within one audience the
 * earliest step announces and later ones remind; the policy's business-day reminder
 * comes last, and after it the acknowledgement's chase of those who have not confirmed.
 */
export function noticeSteps(kind: WindowKind, policy: Policy, plan?: readonly PlanStep[]): NoticeStep[] {
  const leads: PlanStep[] =
    kind === 'minor'
      ? AUDIENCES.map((audience) => ({ audience, leadDays: policy.audiences[audience].leadDays }))
      : [...(plan ?? policy.extensivePlan)];
  leads.sort((a, b) => b.leadDays - a.leadDays);
  const announced = new Set<Audience>();
  const steps: NoticeStep[] = leads.map(({ audience, leadDays }) => {
    const kindOfStep = announced.has(audience) ? 'reminder' : 'announcement';
    announced.add(audience);
    return { audience, kind: kindOfStep, leadDays };
  });
  if (policy.reminder.enabled) {
    for (const audience of policy.reminder.audiences) {
      if (announced.has(audience)) steps.push({ audience, kind: 'reminder', leadDays: null });
    }
  }
  if (policy.acknowledgement.chaseBusinessDaysBefore !== null) {
    for (const audience of policy.acknowledgement.audiences) {
      if (announced.has(audience)) steps.push({ audience, kind: 'reminder', leadDays: null, chase: true });
    }
  }
  return steps;
}

/**
 * Places one step in time. A step with lead days is due at the policy's send time on the
 * date `leadDays` calendar days before the start date, moved back to the previous business
 * day when that date is not one; the rule is kept by anything sent before that calendar
 * date ends. The business-day reminder is due on the business day(s) before the start.
 */
export function scheduleStep(rules: RuleBook, step: NoticeStep, start: DateTime): { dueAt: DateTime; requiredBy: DateTime } {
  const { calendar, policy } = rules;
  const startDay = calendar.startOfDay(start);
  if (step.leadDays === null) {
    const businessDays = step.chase ? policy.acknowledgement.chaseBusinessDaysBefore! : policy.reminder.businessDaysBefore;
    const sendDay = calendar.businessDaysBefore(startDay, businessDays);
    return { dueAt: earliest(calendar.at(sendDay, policy.sendTime), start), requiredBy: start };
  }
  const ruleDay = startDay.minus({ days: step.leadDays });
  const sendDay = calendar.onOrBeforeBusinessDay(ruleDay);
  const endOfRuleDay = calendar.startOfDay(ruleDay.plus({ days: 1 }));
  return {
    dueAt: earliest(calendar.at(sendDay, policy.sendTime), start),
    requiredBy: earliest(endOfRuleDay, start),
  };
}

/**
 * Every notice of a window as of `now`. A step whose send time has passed but whose rule
 * can still be kept goes out at once; one whose rule can no longer be kept is overdue and,
 * with `shortNotice`, goes out at once marked late. Reminders that are already due are
 * dropped: the announcement going out now says the same.
 */
export function planNotices(
  rules: RuleBook,
  window: { kind: WindowKind; start: DateTime; plan?: readonly PlanStep[] },
  now: DateTime,
  options: { shortNotice: boolean; steps?: NoticeStep[] },
): NoticePlan {
  const notices: PlannedNotice[] = [];
  const overdue: NoticeStep[] = [];
  for (const step of options.steps ?? noticeSteps(window.kind, rules.policy, window.plan)) {
    const { dueAt, requiredBy } = scheduleStep(rules, step, window.start);
    if (dueAt > now) {
      notices.push({ ...step, dueAt, requiredBy, late: false });
    } else if (step.kind === 'reminder') {
      continue;
    } else if (requiredBy > now) {
      notices.push({ ...step, dueAt: now, requiredBy, late: false });
    } else {
      overdue.push(step);
      if (options.shortNotice) notices.push({ ...step, dueAt: now, requiredBy, late: true });
    }
  }
  return { notices, overdue };
}

function earliest(a: DateTime, b: DateTime): DateTime {
  return a <= b ? a : b;
}
