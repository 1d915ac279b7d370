import type { SupportAudience } from '../../src/policy/support-schema.js';

export const TES = 'verksamhetssystem';
export const IT = 'it-och-telefoni';
export const LOCK = 'carelock-lasfel';

export interface SupportNowRow {
  label: string;
  at: string;
  for: SupportAudience;
  /** The open lines, each `id until` (local wall-clock time with offset). */
  open: string[];
  /** Whether the checklist and the on-call path are given. */
  checklist: boolean;
  onCall: boolean;
  /** The closed support lines, each `id opensAt`. */
  closed?: string[];
}

/**
 * The routine's hours read at the instants people ask: the default policy, Örebro's numbers.
 * 2026-12-01 is a Tuesday, 2026-12-04 a Friday, 2026-12-05 a Saturday.
 */
export const TABLE: SupportNowRow[] = [
  { label: 'a weekday morning, staff', at: '2026-12-01T09:00', for: 'staff', open: [`${TES} 2026-12-01T12:00:00+01:00`, `${IT} 2026-12-01T17:00:00+01:00`], checklist: false, onCall: false, closed: [] },
  { label: 'a weekday morning, provider', at: '2026-12-01T09:00', for: 'provider', open: [`${TES} 2026-12-01T12:00:00+01:00`], checklist: false, onCall: false, closed: [] },
  { label: 'IT opens before Tes support', at: '2026-12-01T07:30', for: 'staff', open: [`${IT} 2026-12-01T17:00:00+01:00`], checklist: false, onCall: false, closed: [`${TES} 2026-12-01T08:00:00+01:00`] },
  { label: 'lunch, staff: IT has no lunch', at: '2026-12-01T12:15', for: 'staff', open: [`${IT} 2026-12-01T17:00:00+01:00`], checklist: false, onCall: false, closed: [`${TES} 2026-12-01T13:00:00+01:00`] },
  { label: 'lunch, provider: nothing open until 13.00', at: '2026-12-01T12:15', for: 'provider', open: [], checklist: true, onCall: false, closed: [`${TES} 2026-12-01T13:00:00+01:00`] },
  { label: 'the end of lunch', at: '2026-12-01T13:00', for: 'provider', open: [`${TES} 2026-12-01T16:30:00+01:00`], checklist: false, onCall: false, closed: [] },
  { label: '16:45 on a weekday, staff', at: '2026-12-01T16:45', for: 'staff', open: [`${IT} 2026-12-01T17:00:00+01:00`], checklist: false, onCall: false, closed: [`${TES} 2026-12-02T08:00:00+01:00`] },
  { label: '16:45 on a weekday, provider', at: '2026-12-01T16:45', for: 'provider', open: [], checklist: true, onCall: false, closed: [`${TES} 2026-12-02T08:00:00+01:00`] },
  { label: 'a weekday evening: the lock-fault line', at: '2026-12-01T17:00', for: 'staff', open: [`${LOCK} 2026-12-01T22:00:00+01:00`], checklist: true, onCall: true, closed: [`${TES} 2026-12-02T08:00:00+01:00`, `${IT} 2026-12-02T07:00:00+01:00`] },
  { label: '23:00 on a weekday, staff', at: '2026-12-01T23:00', for: 'staff', open: [], checklist: true, onCall: true, closed: [`${TES} 2026-12-02T08:00:00+01:00`, `${IT} 2026-12-02T07:00:00+01:00`] },
  { label: '23:00 on a weekday, provider', at: '2026-12-01T23:00', for: 'provider', open: [], checklist: true, onCall: false, closed: [`${TES} 2026-12-02T08:00:00+01:00`] },
  { label: 'a Friday 15:30: IT closes at 16.00', at: '2026-12-04T15:30', for: 'staff', open: [`${TES} 2026-12-04T16:30:00+01:00`, `${IT} 2026-12-04T16:00:00+01:00`], checklist: false, onCall: false, closed: [] },
  { label: 'a Friday 16:15 for IT: closed till Monday', at: '2026-12-04T16:15', for: 'staff', open: [`${TES} 2026-12-04T16:30:00+01:00`], checklist: false, onCall: false, closed: [`${IT} 2026-12-07T07:00:00+01:00`] },
  { label: 'a Friday 16:30: everything closed, lock line from 17', at: '2026-12-04T16:30', for: 'staff', open: [], checklist: true, onCall: true, closed: [`${TES} 2026-12-07T08:00:00+01:00`, `${IT} 2026-12-07T07:00:00+01:00`] },
  { label: 'a Saturday 06:30, before the lock line opens', at: '2026-12-05T06:30', for: 'staff', open: [], checklist: true, onCall: true, closed: [`${TES} 2026-12-07T08:00:00+01:00`, `${IT} 2026-12-07T07:00:00+01:00`] },
  { label: 'a Saturday 19:30, lock fault, staff', at: '2026-12-05T19:30', for: 'staff', open: [`${LOCK} 2026-12-05T22:00:00+01:00`], checklist: true, onCall: true, closed: [`${TES} 2026-12-07T08:00:00+01:00`, `${IT} 2026-12-07T07:00:00+01:00`] },
  { label: 'a Saturday 19:30, lock fault, provider', at: '2026-12-05T19:30', for: 'provider', open: [`${LOCK} 2026-12-05T22:00:00+01:00`], checklist: true, onCall: false, closed: [`${TES} 2026-12-07T08:00:00+01:00`] },
  { label: 'a Saturday 22:00: the lock line has closed', at: '2026-12-05T22:00', for: 'provider', open: [], checklist: true, onCall: false, closed: [`${TES} 2026-12-07T08:00:00+01:00`] },
  { label: 'the day before Christmas Eve: ordinary hours', at: '2026-12-23T16:00', for: 'staff', open: [`${TES} 2026-12-23T16:30:00+01:00`, `${IT} 2026-12-23T17:00:00+01:00`], checklist: false, onCall: false, closed: [] },
  { label: 'Christmas Eve 10:00, staff: holiday hours on the lock line', at: '2026-12-24T10:00', for: 'staff', open: [`${LOCK} 2026-12-24T22:00:00+01:00`], checklist: true, onCall: true, closed: [`${TES} 2026-12-28T08:00:00+01:00`, `${IT} 2026-12-28T07:00:00+01:00`] },
  { label: 'Christmas Eve 10:00, provider', at: '2026-12-24T10:00', for: 'provider', open: [`${LOCK} 2026-12-24T22:00:00+01:00`], checklist: true, onCall: false, closed: [`${TES} 2026-12-28T08:00:00+01:00`] },
  { label: 'the day before Midsummer Eve: ordinary hours', at: '2027-06-24T10:00', for: 'staff', open: [`${TES} 2027-06-24T12:00:00+02:00`, `${IT} 2027-06-24T17:00:00+02:00`], checklist: false, onCall: false, closed: [] },
  { label: 'the day before Midsummer Eve at 17:30: the lock line, closed till Monday', at: '2027-06-24T17:30', for: 'staff', open: [`${LOCK} 2027-06-24T22:00:00+02:00`], checklist: true, onCall: true, closed: [`${TES} 2027-06-28T08:00:00+02:00`, `${IT} 2027-06-28T07:00:00+02:00`] },
  { label: 'Midsummer Eve (a Friday) 09:00', at: '2027-06-25T09:00', for: 'provider', open: [`${LOCK} 2027-06-25T22:00:00+02:00`], checklist: true, onCall: false, closed: [`${TES} 2027-06-28T08:00:00+02:00`] },
  { label: 'a public holiday on a weekday (Epiphany) 10:00', at: '2027-01-06T10:00', for: 'staff', open: [`${LOCK} 2027-01-06T22:00:00+01:00`], checklist: true, onCall: true, closed: [`${TES} 2027-01-07T08:00:00+01:00`, `${IT} 2027-01-07T07:00:00+01:00`] },
  // Summer time begins on Easter Sunday 2027-03-28 at 02:00; Easter Monday is a holiday too.
  { label: 'the night summer time begins, 01:30', at: '2027-03-28T01:30', for: 'staff', open: [], checklist: true, onCall: true, closed: [`${TES} 2027-03-30T08:00:00+02:00`, `${IT} 2027-03-30T07:00:00+02:00`] },
  { label: 'the day summer time begins, 07:00', at: '2027-03-28T07:00', for: 'provider', open: [`${LOCK} 2027-03-28T22:00:00+02:00`], checklist: true, onCall: false, closed: [`${TES} 2027-03-30T08:00:00+02:00`] },
  { label: 'the Friday before summer time, 16:29', at: '2027-03-26T16:29', for: 'staff', open: [`${LOCK} 2027-03-26T22:00:00+01:00`], checklist: true, onCall: true, closed: [`${TES} 2027-03-30T08:00:00+02:00`, `${IT} 2027-03-30T07:00:00+02:00`] },
  // Winter time begins on Sunday 2026-10-25 at 03:00 (02:00–03:00 is lived twice).
  { label: 'the day winter time begins, 21:30', at: '2026-10-25T21:30', for: 'staff', open: [`${LOCK} 2026-10-25T22:00:00+01:00`], checklist: true, onCall: true, closed: [`${TES} 2026-10-26T08:00:00+01:00`, `${IT} 2026-10-26T07:00:00+01:00`] },
  { label: 'the Saturday before winter time, 23:30', at: '2026-10-24T23:30', for: 'provider', open: [], checklist: true, onCall: false, closed: [`${TES} 2026-10-26T08:00:00+01:00`] },
];
