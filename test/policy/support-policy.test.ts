import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../../src/policy/load-policy.js';

const dir = mkdtempSync(join(tmpdir(), 'driftstopp-support-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, any>;
let files = 0;

/** Start-up's configuration with POLICY_FILE naming the default policy as `change` leaves it: the one line it stops with. */
function startUpError(change: (now: Json) => void): string {
  const doc = JSON.parse(readFileSync(DEFAULT_POLICY_FILE, 'utf8')) as Json;
  change(doc.support.now);
  const file = join(dir, `policy-${(files += 1)}.json`);
  writeFileSync(file, JSON.stringify(doc));
  try {
    loadConfig({ POLICY_FILE: file, DATA_DIR: dir });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected start-up to refuse the policy');
}

const tes = (now: Json) => now.lines[0];

describe('the support lines in the policy', () => {
  it('when the default policy loads, then it holds the routine\'s three lines, their hours and the on-call path', () => {
    const now = loadPolicy().support.now!;
    expect(now.lines.map((line) => [line.id, line.phone, line.for, line.kind])).toEqual([
      ['verksamhetssystem', '019-21 20 00', ['staff', 'provider'], 'support'],
      ['it-och-telefoni', '019-21 20 00', ['staff'], 'support'],
      ['carelock-lasfel', '019-21 49 44', ['staff', 'provider'], 'faultReport'],
    ]);
    expect(now.lines[0]!.breaks).toEqual([{ from: '12:00', to: '13:00' }]);
    expect(now.whenClosed.onCall.for).toEqual(['staff']);
    expect(now.whenClosed.checklist).toHaveLength(4);
  });

  it.each([
    ['an opening time of 25:00', (now: Json) => (tes(now).hours[0].from = '25:00'), 'support.now.lines.0.hours.0.from'],
    ['a closing time of 24:30', (now: Json) => (tes(now).hours[0].to = '24:30'), 'support.now.lines.0.hours.0.to'],
    ['a time without a leading zero', (now: Json) => (tes(now).hours[0].from = '8:00'), 'support.now.lines.0.hours.0.from'],
    ['hours whose from is after to', (now: Json) => Object.assign(tes(now).hours[0], { from: '16:30', to: '08:00' }), 'support.now.lines.0.hours.0.to: from must be before to'],
    ['hours that open and close at once', (now: Json) => Object.assign(tes(now).hours[0], { from: '08:00', to: '08:00' }), 'support.now.lines.0.hours.0.to: from must be before to'],
    ['a lunch whose from is after to', (now: Json) => (tes(now).breaks[0] = { from: '13:00', to: '12:00' }), 'support.now.lines.0.breaks.0.to: from must be before to'],
    ['an exception with from after to', (now: Json) => (tes(now).exceptions[0] = { on: 'dayBeforeHoliday', hours: [{ from: '15:00', to: '08:00' }] }), 'support.now.lines.0.exceptions.0.hours.0.to'],
    ['weekday 8', (now: Json) => (tes(now).hours[0].weekdays = [1, 8]), 'support.now.lines.0.hours.0.weekdays.1'],
    ['an exception on no known kind of day', (now: Json) => (tes(now).exceptions[0].on = 'midsommar'), 'support.now.lines.0.exceptions.0.on'],
    ['an exception on 2027-02-30', (now: Json) => (tes(now).exceptions[0].on = '2027-02-30'), 'support.now.lines.0.exceptions.0.on'],
    ['an exception with neither hours nor a note', (now: Json) => (tes(now).exceptions[0] = { on: '2027-06-24' }), 'support.now.lines.0.exceptions.0.hours'],
    ['two lines with one id', (now: Json) => (now.lines[1].id = now.lines[0].id), 'support.now.lines.1.id'],
    ['a line for the public', (now: Json) => (tes(now).for = ['public']), 'support.now.lines.0.for.0'],
    ['an unknown kind of line', (now: Json) => (tes(now).kind = 'emergency'), 'support.now.lines.0.kind'],
    ['a misspelt field', (now: Json) => (tes(now).lunch = { from: '12:00', to: '13:00' }), 'support.now.lines.0'],
    ['an on-call path without its limits', (now: Json) => delete now.whenClosed.onCall.notCovered, 'support.now.whenClosed.onCall.notCovered'],
    ['an empty checklist', (now: Json) => (now.whenClosed.checklist = []), 'support.now.whenClosed.checklist'],
  ])('when the policy has %s, then start-up stops with one line naming the field', (_label, change, field) => {
    const message = startUpError(change);
    expect(message).toMatch(/^configuration error: POLICY_FILE: policy \S+: /);
    expect(message).not.toContain('\n');
    expect(message).toContain(field);
  });
});
