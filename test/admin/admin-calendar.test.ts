import { NOBODY_ASKED } from '../../src/rules/acknowledgement.js';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { calendarWeeks, flaggedWindows, unconfirmedText } from '../../src/admin/admin-calendar.js';
import { parseWindowForm, readWindowForm } from '../../src/admin/window-form.js';
import { complianceReport, NO_DELIVERIES, type WindowCompliance } from '../../src/compliance/compliance-report.js';
import type { NoticeRow } from '../../src/storage/schema.js';
import { publicationAudiences } from '../../src/rules/told.js';
import { windowRow } from '../support/rows.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { BusinessCalendar } from '../../src/rules/business-calendar.js';
import { nextMinorSlots } from '../../src/rules/slots.js';

const policy = loadPolicy();
const rules = { policy, calendar: new BusinessCalendar(policy) };
const zone = policy.timezone;
const at = (iso: string) => DateTime.fromISO(iso, { zone });

describe('admin calendar weeks', () => {
  const now = at('2026-12-10T10:00');
  const firstMonday = at('2026-12-21T00:00');
  const late: WindowCompliance = {
    windowId: '11111111-1111-4111-8111-111111111111',
    title: 'Akut rättning',
    systems: ['careapp', 'tes'],
    kind: 'minor',
    start: at('2026-12-22T09:00').toJSDate(),
    end: at('2026-12-22T11:00').toJSDate(),
    status: 'scheduled',
    revision: 1,
    shortNotice: { reason: 'säkerhet' },
    atRisk: false,
    acknowledgements: NOBODY_ASKED,
    audiences: [
      {
        noticeId: 'n1',
        revision: 1,
        audience: 'managers',
        kind: 'announcement',
        requiredBy: at('2026-12-08T08:00').toJSDate(),
        dueAt: at('2026-12-15T08:00').toJSDate(),
        sentAt: at('2026-12-15T08:00').toJSDate(),
        onTime: false,
        verdict: 'late',
        reason: 'kort varsel: säkerhet',
        deliveries: { sent: 1, failed: 0, pending: 0, cancelled: 0 },
        feeds: false,
      },
    ],
  };
  const weeks = calendarWeeks({
    rules,
    now,
    firstMonday,
    weeks: 2,
    windows: [late],
    offered: nextMinorSlots(rules, firstMonday, 6, now),
  });
  const day = (iso: string) => weeks.flatMap((w) => w.days).find((d) => d.iso === iso);

  it('when Christmas falls in the weeks shown, then its days are named as holidays and offer no slot', () => {
    expect(weeks.map((w) => w.heading)).toEqual(['Vecka 52: 21 december – 25 december 2026', 'Vecka 53: 28 december – 1 januari 2027']);
    expect(day('2026-12-24')?.holiday).toBe('julafton');
    expect(day('2026-12-25')?.holiday).toBe('juldagen');
    expect(day('2027-01-01')?.holiday).toBe('nyårsdagen');
    expect(day('2026-12-26')).toBeUndefined();
  });

  it('when a Tuesday or Wednesday is a business day, then its slot is marked, with a link only where every notice can still go out in time', () => {
    expect(day('2026-12-22')?.slot).toMatchObject({ label: 'Uppgraderingstid 09.00–14.00', href: null });
    expect(day('2026-12-29')?.slot).toEqual({
      label: 'Uppgraderingstid 09.00–14.00',
      href: '/admin/driftstopp/ny?start=2026-12-29T09:00&slut=2026-12-29T14:00',
      note: null,
    });
    expect(day('2026-12-21')?.slot).toBeNull();
  });

  it('when a window was announced late, then it sits on its day with the reason in words', () => {
    expect(day('2026-12-22')?.windows).toEqual([
      expect.objectContaining({
        title: 'Akut rättning',
        when: 'tisdag 22 december 2026 kl. 09.00–11.00',
        systems: 'Tes, CareApp',
        kind: 'Mindre uppgradering',
        statusLabel: 'Planerat',
        warnings: ['Meddelande sent till Berörda chefer (kort varsel: säkerhet)'],
      }),
    ]);
  });
});

describe('admin calendar: deliveries failing before the deadline', () => {
  const now = at('2027-03-16T10:00');
  const window = windowRow({ id: '22222222-2222-4222-8222-222222222222', title: 'Uppgradering av Tes' });
  const notice: NoticeRow = {
    id: 'n-failing',
    window_id: window.id,
    disruption_id: null,
    revision: 1,
    audience: 'managers',
    kind: 'announcement',
    lead_days: 14,
    previous_start_at: null,
    previous_end_at: null,
    due_at: at('2027-03-16T08:00').toJSDate(),
    required_by: at('2027-03-17T00:00').toJSDate(),
    status: 'failed',
    late: false,
    catch_up: false,
    chase: false,
    dispatched_at: at('2027-03-16T08:00').toJSDate(),
    sent_at: null,
    error: 'TypeError: x is not a function',
    created_at: at('2026-11-25T12:00').toJSDate(),
  };
  const report = complianceReport([window], [notice], new Map([[notice.id, { ...NO_DELIVERIES, failed: 40 }]]), now.toJSDate(), publicationAudiences(policy));

  it('when a notice\'s deliveries failed before its deadline, then the banner names the window and its card says the notice is at risk', () => {
    expect(flaggedWindows(report, zone)).toEqual([{ id: window.id, title: 'Uppgradering av Tes', when: 'tisdag 30 mars 2027 kl. 09.00–12.00' }]);
    const weeks = calendarWeeks({ rules, now, firstMonday: at('2027-03-29T00:00'), weeks: 1, windows: report, offered: [] });
    const card = weeks[0]!.days.flatMap((d) => d.windows).find((w) => w.id === window.id);
    expect(card?.warnings).toEqual(['Meddelande i fara till Berörda chefer (utskicken misslyckades: TypeError: x is not a function)']);
  });
});

describe('admin window form', () => {
  const form = (fields: Record<string, unknown>) =>
    readWindowForm({ titel: 'Uppgradering', system: 'tes', typ: 'minor', start: '2027-03-30T09:00', slut: '2027-03-30T12:00', ...fields });

  it('when datetime-local values are posted, then they are read as Swedish wall-clock time on either side of daylight saving', () => {
    const summer = parseWindowForm(form({}), policy, { details: true }).value!;
    expect(summer.start.toISO()).toBe('2027-03-30T09:00:00.000+02:00');
    const winter = parseWindowForm(form({ start: '2027-03-23T09:00', slut: '2027-03-23T12:00' }), policy, { details: true }).value!;
    expect(winter.end.toISO()).toBe('2027-03-23T12:00:00.000+01:00');
  });

  it('when a time is skipped by the change to summer time, then it is refused rather than moved', () => {
    const { errors } = parseWindowForm(form({ start: '2027-03-28T02:30', slut: '2027-03-28T04:00' }), policy, { details: true });
    expect(errors).toEqual([expect.objectContaining({ path: 'start', code: 'nonexistent_time' })]);
  });

  it('when short notice is asked for without a reason, or fields are missing, then each field says what is wrong', () => {
    const { errors } = parseWindowForm(form({ titel: ' ', system: undefined, kortVarsel: 'ja', start: 'i morgon' }), policy, { details: true });
    expect(errors.map((e) => `${e.path}:${e.code}`)).toEqual(['title:required', 'systems:required', 'start:invalid_format', 'reason:required']);
  });
});

describe('the calendar mark of unconfirmed units', () => {
  const now = at('2027-03-22T10:00');
  const window = (start: string, acknowledgements: WindowCompliance['acknowledgements'], status: WindowCompliance['status'] = 'scheduled'): WindowCompliance => ({
    windowId: '22222222-2222-4222-8222-222222222222',
    title: 'Uppgradering av Tes',
    systems: ['tes'],
    kind: 'minor',
    start: at(start).toJSDate(),
    end: at(start).plus({ hours: 2 }).toJSDate(),
    status,
    revision: 1,
    shortNotice: null,
    atRisk: false,
    audiences: [],
    acknowledgements,
  });
  const someUnconfirmed = { asked: 3, confirmed: 1, share: 1 / 3, unconfirmed: ['Hemtjänst Norr', 'Hemtjänst Söder'] };

  it('when a window starts within a week and units have not confirmed, then it is marked with them; later, all confirmed or cancelled, it is not', () => {
    expect(unconfirmedText(window('2027-03-24T09:00', someUnconfirmed), now)).toBe('Ej bekräftat förberedda: Hemtjänst Norr och Hemtjänst Söder (1 av 3 har bekräftat)');
    expect(unconfirmedText(window('2027-03-31T09:00', someUnconfirmed), now)).toBeNull();
    expect(unconfirmedText(window('2027-03-24T09:00', { asked: 3, confirmed: 3, share: 1, unconfirmed: [] }), now)).toBeNull();
    expect(unconfirmedText(window('2027-03-24T09:00', someUnconfirmed, 'cancelled'), now)).toBeNull();
    expect(unconfirmedText(window('2027-03-24T09:00', NOBODY_ASKED), now)).toBeNull();
  });
});
