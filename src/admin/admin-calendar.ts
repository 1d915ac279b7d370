import type { DateTime } from 'luxon';
import type { WindowCompliance } from '../compliance/compliance-report.js';
import { swedishList } from '../messages/notice-window.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RuleBook } from '../rules/notice-plan.js';
import type { Slot } from '../rules/slots.js';
import { ALARMING, NOTICE_KIND, VERDICT, WINDOW_KIND, WINDOW_STATUS, audienceName, systemText } from './admin-labels.js';
import { localInput, span } from './admin-views.js';

export interface CalendarWindow {
  id: string;
  title: string;
  when: string;
  systems: string;
  kind: string;
  status: string;
  statusLabel: string;
  /** What is wrong with its notices, in words; empty when nothing is. */
  warnings: string[];
  /** Starting within a week with units that have not confirmed they are prepared: which, in words; null otherwise. */
  unconfirmed: string | null;
}

export interface CalendarDay {
  iso: string;
  label: string;
  isToday: boolean;
  /** Before today: a narrow screen leaves it out, so the page starts at today. */
  past: boolean;
  weekend: boolean;
  holiday: string | null;
  /** Set on an allowed weekday of minor upgrades that is a business day still to come. */
  slot: { label: string; href: string | null; note: string | null } | null;
  windows: CalendarWindow[];
}

export interface CalendarWeek {
  heading: string;
  days: CalendarDay[];
  /** Every day shown is before today: a narrow screen leaves the week out. */
  past: boolean;
}

export interface CalendarInput {
  rules: RuleBook;
  now: DateTime;
  /** Monday of the first week shown, local midnight. */
  firstMonday: DateTime;
  weeks: number;
  windows: readonly WindowCompliance[];
  /** The compliant slots from `nextMinorSlots`: only these get a "register here" link. */
  offered: readonly Slot[];
}

/**
 * The weeks as the calendar page lists them: Monday to Friday (a weekend day only when a
 * window lies on it), holidays named, the routine's minor-upgrade slots marked, each window
 * on its local start date with what is wrong with its notices. Pure: the same input, the
 * same weeks.
 */
export function calendarWeeks(input: CalendarInput): CalendarWeek[] {
  const { rules, now, firstMonday } = input;
  const { calendar, policy } = rules;
  const byDay = new Map<string, CalendarWindow[]>();
  for (const window of input.windows) {
    const day = calendar.local(window.start).toISODate()!;
    byDay.set(day, [...(byDay.get(day) ?? []), calendarWindow(window, policy, now)]);
  }
  const offered = new Map(input.offered.map((slot) => [slot.start.toISODate()!, slot]));
  const today = calendar.local(now).toISODate();
  const { weekdays, earliestStart, latestEnd } = policy.minorWindow;
  const slotLabel = `Uppgraderingstid ${earliestStart.replace(':', '.')}–${latestEnd.replace(':', '.')}`;

  return Array.from({ length: input.weeks }, (_, w) => {
    const monday = firstMonday.plus({ weeks: w });
    const days: CalendarDay[] = [];
    for (let d = 0; d < 7; d += 1) {
      const day = calendar.at(monday.plus({ days: d }), '12:00').setLocale('sv');
      const iso = day.toISODate()!;
      const windows = byDay.get(iso) ?? [];
      const weekend = day.weekday > 5;
      if (weekend && windows.length === 0) continue;
      const holiday = calendar.holidayName(day);
      const allowed = weekdays.includes(day.weekday) && holiday === null && calendar.at(day, latestEnd) > now;
      const slot = offered.get(iso);
      days.push({
        iso,
        label: day.toFormat('cccc d LLLL'),
        isToday: iso === today,
        past: iso < today!,
        weekend,
        holiday,
        slot: allowed
          ? {
              label: slotLabel,
              href: slot ? `/admin/driftstopp/ny?start=${localInput(slot.start, calendar.zone)}&slut=${localInput(slot.end, calendar.zone)}` : null,
              note: slot ? null : 'för kort varsel',
            }
          : null,
        windows,
      });
    }
    const friday = monday.plus({ days: 4 }).setLocale('sv');
    return {
      heading: `Vecka ${monday.weekNumber}: ${monday.setLocale('sv').toFormat('d LLLL')} – ${friday.toFormat('d LLLL yyyy')}`,
      days,
      past: days.every((day) => day.past),
    };
  });
}

/** How far ahead the calendar marks windows whose units have not all confirmed: a week, time to chase by phone. */
const UNCONFIRMED_AHEAD_DAYS = 7;

/** "Ej bekräftat förberedda: Hemtjänst Norr och Hemtjänst Söder (1 av 3 har bekräftat)", for a window starting within a week. */
export function unconfirmedText(window: WindowCompliance, now: DateTime): string | null {
  const { asked, confirmed, unconfirmed } = window.acknowledgements;
  const startsInMs = window.start.getTime() - now.toMillis();
  if (window.status !== 'scheduled' || confirmed >= asked || startsInMs < 0 || startsInMs > UNCONFIRMED_AHEAD_DAYS * 24 * 60 * 60 * 1000) return null;
  return `Ej bekräftat förberedda: ${swedishList(unconfirmed)} (${confirmed} av ${asked} har bekräftat)`;
}

function calendarWindow(window: WindowCompliance, policy: Policy, now: DateTime): CalendarWindow {
  // One line per kind of notice, verdict and reason: four audiences told late read as one warning.
  const groups = new Map<string, { text: string; reason: string | null; audiences: string[] }>();
  for (const notice of window.audiences.filter((n) => ALARMING.has(n.verdict))) {
    const key = `${notice.kind} ${notice.verdict} ${notice.reason ?? ''}`;
    const group = groups.get(key) ?? { text: `${NOTICE_KIND[notice.kind]} ${VERDICT[notice.verdict].toLowerCase()}`, reason: notice.reason, audiences: [] };
    group.audiences.push(audienceName(policy, notice.audience));
    groups.set(key, group);
  }
  return {
    id: window.windowId,
    title: window.title,
    when: span(window.start, window.end, policy.timezone),
    systems: systemText(policy, window.systems),
    kind: WINDOW_KIND[window.kind] ?? window.kind,
    status: window.status,
    statusLabel: WINDOW_STATUS[window.status] ?? window.status,
    warnings: [...groups.values()].map((g) => `${g.text} till ${g.audiences.join(', ')}${g.reason ? ` (${g.reason})` : ''}`),
    unconfirmed: unconfirmedText(window, now),
  };
}

/**
 * The windows the calendar's banner names: any with a notice late, failed or at risk (its
 * deliveries failing before its deadline among them), earliest first, so an operator sees
 * which to act on without scanning the weeks.
 */
export function flaggedWindows(windows: readonly WindowCompliance[], zone: string): { id: string; title: string; when: string }[] {
  return windows
    .filter((w) => w.audiences.some((a) => ALARMING.has(a.verdict)))
    .map((w) => ({ id: w.windowId, title: w.title, when: span(w.start, w.end, zone) }));
}
