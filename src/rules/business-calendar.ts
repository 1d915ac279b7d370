import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import type { Policy } from '../policy/policy-schema.js';
import { memoize } from '../runtime/memoize.js';

/**
 * Local dates, business days and holidays in the policy's time zone.
 * Pure apart from its caches (the holiday table per year, converted instants); knows nothing of "now".
 */
export class BusinessCalendar {
  readonly zone: string;
  private readonly holidays: Holidays;
  private readonly nonBusinessTypes: ReadonlySet<string>;
  private readonly byYear = new Map<number, Map<string, string>>();
  /**
   * A stored instant is converted once: luxon asks Intl for the zone's offset on every
   * conversion, and the register's windows are converted again for every window checked
   * against them (a create under the register's lock). A DateTime is immutable, so the same
   * one can be handed out each time.
   */
  private readonly localOf = memoize(
    (instant: Date) => DateTime.fromJSDate(instant).setZone(this.zone),
    (instant) => String(instant.getTime()),
  );

  constructor(policy: Pick<Policy, 'timezone' | 'holidays'>) {
    this.zone = policy.timezone;
    this.holidays = new Holidays(policy.holidays.country);
    this.nonBusinessTypes = new Set(policy.holidays.nonBusinessTypes);
  }

  /** The instant as local wall-clock time. */
  local(instant: DateTime | Date): DateTime {
    return instant instanceof Date ? this.localOf(instant) : instant.setZone(this.zone);
  }

  /** The instant at `clock` ("HH:MM") on the local date of `day`. */
  at(day: DateTime, clock: string): DateTime {
    const [hour, minute] = clock.split(':').map(Number);
    return DateTime.fromObject(
      { year: day.year, month: day.month, day: day.day, hour, minute },
      { zone: this.zone },
    );
  }

  /** Local midnight starting the date of `day`. */
  startOfDay(day: DateTime): DateTime {
    return this.local(day).startOf('day');
  }

  /** Name of the holiday (or holiday eve) that makes this local date a non-business day, else null. */
  holidayName(day: DateTime): string | null {
    const local = this.local(day);
    return this.holidaysOf(local.year).get(local.toISODate()!) ?? null;
  }

  isBusinessDay(day: DateTime): boolean {
    const local = this.local(day);
    return local.weekday <= 5 && this.holidayName(local) === null;
  }

  /** The same date if it is a business day, otherwise the closest business day before it. */
  onOrBeforeBusinessDay(day: DateTime): DateTime {
    let candidate = this.startOfDay(day);
    while (!this.isBusinessDay(candidate)) candidate = candidate.minus({ days: 1 });
    return candidate;
  }

  /** The business day `count` business days before the date of `day`. */
  businessDaysBefore(day: DateTime, count: number): DateTime {
    let candidate = this.startOfDay(day);
    for (let left = count; left > 0; ) {
      candidate = candidate.minus({ days: 1 });
      if (this.isBusinessDay(candidate)) left -= 1;
    }
    return candidate;
  }

  private holidaysOf(year: number): Map<string, string> {
    let table = this.byYear.get(year);
    if (!table) {
      table = new Map();
      for (const holiday of this.holidays.getHolidays(year)) {
        if (!this.nonBusinessTypes.has(holiday.type)) continue;
        // date-holidays gives "YYYY-MM-DD hh:mm:ss" in the country's own time.
        table.set(holiday.date.slice(0, 10), holiday.name);
      }
      this.byYear.set(year, table);
    }
    return table;
  }
}
