import { DateTime } from 'luxon';
import type { NoticeWindow } from '../../src/messages/notice-window.js';
import { loadPolicy } from '../../src/policy/load-policy.js';

const loaded = loadPolicy();

/**
 * The default policy without its dependencies: these tests count the systems a window names
 * (one system reads "systemet"), while a Tes window in the default policy also takes CareApp
 * down. Dependencies in the texts have their own tests (calendar-rules, notice-delivery).
 */
export const policy = {
  ...loaded,
  systems: Object.fromEntries(Object.entries(loaded.systems).map(([id, system]) => [id, { ...system, dependsOn: [] }])),
};

/** An instant from Stockholm wall-clock time, e.g. `local('2027-03-30T09:00')`. */
export function local(wallClock: string): Date {
  return DateTime.fromISO(wallClock, { zone: 'Europe/Stockholm' }).toJSDate();
}

/** Tuesday 2027-03-30 09:00–12:00 in Tes and CareApp, first revision, unless overridden. */
export function aWindow(overrides: Partial<NoticeWindow> = {}): NoticeWindow {
  return {
    id: '6f1c2b1e-2f4a-4c55-9d0e-0a8f1b2c3d4e',
    title: 'Uppgradering av Tes',
    description: 'Tes uppgraderas till version 24.2.',
    systems: ['tes', 'careapp'],
    kind: 'minor',
    start: local('2027-03-30T09:00'),
    end: local('2027-03-30T12:00'),
    revision: 1,
    cancelReason: null,
    shortNoticeReason: null,
    ...overrides,
  };
}
