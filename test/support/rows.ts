import type { WindowRow } from '../../src/storage/schema.js';

/**
 * A whole `windows` row: a scheduled minor Tes upgrade on Tuesday 30 March 2027 09:00–12:00
 * local, registered on 25 November 2026, first revision. Tests override what they are about;
 * a column added to the table is added here once. Without a plan, the row also serves as an insert.
 */
export function windowRow(overrides: Partial<Omit<WindowRow, 'plan'>> = {}): WindowRow & { plan: null } {
  return {
    id: 'w1',
    title: 'Uppgradering av Tes',
    description: '',
    systems: ['tes'],
    kind: 'minor',
    start_at: new Date('2027-03-30T07:00:00Z'),
    end_at: new Date('2027-03-30T10:00:00Z'),
    status: 'scheduled',
    revision: 1,
    plan: null,
    short_notice_reason: null,
    cancel_reason: null,
    created_by: 'admin:test',
    created_at: new Date('2026-11-25T12:00:00Z'),
    updated_at: new Date('2026-11-25T12:00:00Z'),
    series_id: null,
    overlap_reason: null,
    blackout_reason: null,
    ...overrides,
  };
}
