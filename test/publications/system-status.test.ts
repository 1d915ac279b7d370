import { describe, expect, it } from 'vitest';
import type { PublishedDisruption } from '../../src/publications/public-disruptions.js';
import { systemStates, type WindowSpan } from '../../src/publications/system-status.js';
import { local, policy } from './public-fixtures.js';

const tesWindow: WindowSpan = { systems: ['tes'], start: local('2027-03-30T09:00'), end: local('2027-03-30T12:00'), cancelled: false };

function disruption(overrides: Partial<PublishedDisruption> = {}): PublishedDisruption {
  const at = local('2027-03-30T10:30');
  return {
    id: 'd1',
    title: 'Låsen svarar inte',
    description: '',
    systems: ['carelock'],
    status: 'investigating',
    createdAt: at,
    updatedAt: at,
    resolvedAt: null,
    updates: [{ id: 'u1', status: 'investigating', message: 'Vi undersöker.', at }],
    ...overrides,
  };
}

const states = (windows: WindowSpan[], disruptions: PublishedDisruption[], now: string) =>
  Object.fromEntries(systemStates(policy, windows, disruptions, local(now)).map((s) => [s.id, s.status]));

describe('systemStates', () => {
  it('when a Tes window runs, then Tes and CareApp, which depends on it, are under maintenance from its start to its end, not after', () => {
    expect(states([tesWindow], [], '2027-03-30T08:59')).toEqual({ tes: 'operational', careapp: 'operational', carelock: 'operational' });
    expect(states([tesWindow], [], '2027-03-30T09:00')).toEqual({ tes: 'under_maintenance', careapp: 'under_maintenance', carelock: 'operational' });
    expect(states([tesWindow], [], '2027-03-30T12:00')).toEqual({ tes: 'operational', careapp: 'operational', carelock: 'operational' });
  });

  it('when the window was cancelled, then its systems stay operational through its time', () => {
    expect(states([{ ...tesWindow, cancelled: true }], [], '2027-03-30T10:00').tes).toBe('operational');
  });

  it('when a disruption hits a system under maintenance, then the outage outweighs the maintenance until it is resolved', () => {
    const onTes = disruption({ systems: ['tes'], resolvedAt: local('2027-03-30T11:00') });
    expect(states([tesWindow], [onTes], '2027-03-30T10:45')).toMatchObject({ tes: 'major_outage', careapp: 'major_outage' });
    expect(states([tesWindow], [onTes], '2027-03-30T11:00')).toMatchObject({ tes: 'under_maintenance', careapp: 'under_maintenance' });
  });

  it('when a disruption is recorded after the moment asked about, then it counts only from its registration', () => {
    expect(states([], [disruption()], '2027-03-30T10:29').carelock).toBe('operational');
    expect(states([], [disruption()], '2027-03-30T10:30').carelock).toBe('major_outage');
  });

  it('when things began and ended on a system, then its change instant is the latest of them by now, in the policy order with positions', () => {
    const [tes, careapp, carelock] = systemStates(policy, [tesWindow], [disruption({ resolvedAt: local('2027-03-30T11:30') })], local('2027-03-30T11:45'));
    expect([tes!.position, careapp!.position, carelock!.position]).toEqual([1, 2, 3]);
    expect(tes!.changedAt).toEqual(local('2027-03-30T09:00'));
    expect(carelock).toMatchObject({ status: 'operational', label: 'I drift', changedAt: local('2027-03-30T11:30') });
    expect(systemStates(policy, [], [], local('2027-03-30T11:45'))[0]!.changedAt).toBeNull();
  });
});
