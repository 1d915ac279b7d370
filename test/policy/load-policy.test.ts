import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_FILE, MAX_POLICY_BYTES, PolicyError, loadPolicy, parsePolicy } from '../../src/policy/load-policy.js';

const dir = mkdtempSync(join(tmpdir(), 'driftstopp-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, any>;

/** A fresh, mutable copy of the bundled policy document. */
function defaultDocument(): Json {
  return JSON.parse(readFileSync(DEFAULT_POLICY_FILE, 'utf8')) as Json;
}

let fileCount = 0;
/** Writes `text` to a file of its own and loads it, returning the error it throws. */
function loadError(text: string): PolicyError {
  const file = join(dir, `policy-${(fileCount += 1)}.json`);
  writeFileSync(file, text);
  try {
    loadPolicy(file);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error(`expected ${file} to be refused`);
}

function loadErrorOf(change: (doc: Json) => void): PolicyError {
  const doc = defaultDocument();
  change(doc);
  return loadError(JSON.stringify(doc));
}

describe('loadPolicy with the bundled default', () => {
  const policy = loadPolicy();

  it('when no file is named, then the bundled default policy loads with the routine numbers', () => {
    expect(policy.municipality).toBe('Örebro kommun');
    expect(policy.timezone).toBe('Europe/Stockholm');
    expect(policy.sendTime).toBe('08:00');
    expect(policy.minorWindow).toEqual({ weekdays: [2, 3], earliestStart: '09:00', latestEnd: '14:00' });
    expect(Object.fromEntries(Object.entries(policy.audiences).map(([k, v]) => [k, v.leadDays]))).toEqual({
      managers: 14,
      intranet: 7,
      public: 7,
      egetval: 14,
    });
    expect(Object.keys(policy.systems)).toEqual(['tes', 'careapp', 'carelock']);
    expect(policy.reminder).toEqual({ enabled: true, audiences: ['managers', 'egetval'], businessDaysBefore: 1 });
    expect(policy.extensivePlan).toHaveLength(6);
  });

  it('when the default is loaded, then the policy and its nested parts are frozen', () => {
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.audiences.managers)).toBe(true);
    expect(Object.isFrozen(policy.extensivePlan)).toBe(true);
    expect(Object.isFrozen(policy.extensivePlan[0])).toBe(true);
    expect(Object.isFrozen(policy.support.emails[0])).toBe(true);
  });

  it('when code tries to change the loaded policy, then it throws and the value stays', () => {
    expect(() => {
      (policy as Json).sendTime = '09:00';
    }).toThrow(TypeError);
    expect(() => {
      (policy.audiences.managers as Json).leadDays = 1;
    }).toThrow(TypeError);
    expect(() => (policy.extensivePlan as Json[]).push({ audience: 'public', leadDays: 1 })).toThrow(TypeError);
    expect(policy.sendTime).toBe('08:00');
    expect(policy.audiences.managers.leadDays).toBe(14);
  });

  it('when a system has no description, then it defaults to the empty string', () => {
    const doc = defaultDocument();
    doc.systems = { tes: { displayName: 'Tes' } };
    expect(parsePolicy(JSON.stringify(doc), 'test').systems).toEqual({ tes: { displayName: 'Tes', description: '', dependsOn: [] } });
  });
});

describe('loadPolicy refusals', () => {
  it('when the file is not valid JSON, then it throws a PolicyError saying so', () => {
    const error = loadError('{ "municipality": "Örebro kommun", ');
    expect(error.name).toBe('PolicyError');
    expect(error.message).toMatch(/^policy .*policy-\d+\.json is not valid JSON: /);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('when the JSON is broken, then the message says where by line and column and quotes none of the text', () => {
    const error = loadError('{\n  "municipality": "hemligt-värde-123",\n  "sendTime": 08:00\n}');
    expect(error.message).toMatch(/is not valid JSON: error at line 3, column \d+$/);
    expect(error.message).not.toContain('hemligt');
    expect(error.message).not.toContain('08:00');
  });

  it('when the file is not JSON at all, then the message quotes none of it', () => {
    const error = loadError('hemligt-värde-123 = ja');
    expect(error.message).toMatch(/is not valid JSON: unexpected character$/);
    expect(error.message).not.toContain('hemligt');
  });

  it('when a valid policy starts with a byte order mark, then it loads', () => {
    const file = join(dir, 'bom.json');
    writeFileSync(file, `\uFEFF${readFileSync(DEFAULT_POLICY_FILE, 'utf8')}`);
    expect(loadPolicy(file).municipality).toBe('Örebro kommun');
  });

  it('when the file is a directory, then it throws a PolicyError saying so', () => {
    const folder = join(dir, 'policy.d');
    mkdirSync(folder);
    expect(() => loadPolicy(folder)).toThrow(new PolicyError(`policy file ${folder} is a directory, not a file`));
  });

  // /dev/zero and a FIFO would block this very process if the check regressed: test/config/start-up.test.ts
  // starts the service on each with a deadline instead.

  it('when the file is larger than 1 MiB, then it is refused by its size without being parsed', () => {
    const file = join(dir, 'huge.json');
    writeFileSync(file, `{"municipality": "${'x'.repeat(MAX_POLICY_BYTES)}"}`);
    expect(() => loadPolicy(file)).toThrow(`policy file ${file} is larger than 1024 KiB`);
  });

  it('when the file does not exist, then it throws a PolicyError naming the file', () => {
    const missing = join(dir, 'missing.json');
    expect(() => loadPolicy(missing)).toThrow(PolicyError);
    expect(() => loadPolicy(missing)).toThrow(`policy file ${missing} cannot be read`);
  });

  it('when sendTime is missing, then the message names sendTime', () => {
    const error = loadErrorOf((doc) => delete doc.sendTime);
    expect(error.message).toMatch(/: sendTime: /);
  });

  it('when sendTime is "25:00", then the message names sendTime and the expected format', () => {
    const error = loadErrorOf((doc) => (doc.sendTime = '25:00'));
    expect(error.message).toContain('sendTime: must be a time HH:MM (24-hour clock)');
  });

  it('when a nested field is missing, then the message names its dotted path', () => {
    const error = loadErrorOf((doc) => delete doc.audiences.intranet.leadDays);
    expect(error.message).toContain('audiences.intranet.leadDays: ');
  });

  it('when extensivePlan names an unknown audience, then the message names extensivePlan.N.audience', () => {
    const error = loadErrorOf((doc) => doc.extensivePlan.push({ audience: 'press', leadDays: 3 }));
    expect(error.message).toContain('extensivePlan.6.audience: ');
  });

  it('when an unknown top-level key is present, then the message names the key', () => {
    const error = loadErrorOf((doc) => (doc.sendTimes = '08:00'));
    expect(error.message).toContain('sendTimes: unknown field "sendTimes"');
  });

  it('when an unknown nested key is present, then the message names the object and the key', () => {
    const error = loadErrorOf((doc) => (doc.audiences.managers.leadDay = 14));
    expect(error.message).toContain('audiences.managers.leadDay: unknown field "leadDay"');
  });

  it('when the slot ends before it starts, then the message names minorWindow.latestEnd', () => {
    const error = loadErrorOf((doc) => (doc.minorWindow.latestEnd = '08:00'));
    expect(error.message).toContain('minorWindow.latestEnd: earliestStart must be before latestEnd');
  });

  it('when the time zone is not an IANA zone, then the message names timezone', () => {
    const error = loadErrorOf((doc) => (doc.timezone = 'Europe/Örebro'));
    expect(error.message).toContain('timezone: must be an IANA time zone');
  });

  it('when leadDays is negative or fractional, then the message names the field', () => {
    expect(loadErrorOf((doc) => (doc.audiences.public.leadDays = -1)).message).toContain('audiences.public.leadDays: ');
    expect(loadErrorOf((doc) => (doc.extensivePlan[2].leadDays = 1.5)).message).toContain('extensivePlan.2.leadDays: ');
  });

  it('when the holiday country is one date-holidays does not know, then the message names holidays.country without the value', () => {
    const error = loadErrorOf((doc) => (doc.holidays.country = 'XQ'));
    expect(error.message).toContain('holidays.country: is not a country date-holidays knows');
    expect(error.message).not.toContain('XQ');
    expect(loadErrorOf((doc) => (doc.holidays.country = 'se')).message).toContain('holidays.country: must be a two-letter country code');
  });

  it('when horizonDays and maxWindowHours are left out, then they default to 548 days and 72 hours', () => {
    const doc = defaultDocument();
    delete doc.horizonDays;
    delete doc.maxWindowHours;
    expect(parsePolicy(JSON.stringify(doc), 'test')).toMatchObject({ horizonDays: 548, maxWindowHours: 72 });
    expect(loadPolicy()).toMatchObject({ horizonDays: 548, maxWindowHours: 72 });
  });

  it('when horizonDays or maxWindowHours is zero, fractional or absurd, then the message names the field', () => {
    expect(loadErrorOf((doc) => (doc.horizonDays = 0)).message).toContain('horizonDays: ');
    expect(loadErrorOf((doc) => (doc.horizonDays = 30.5)).message).toContain('horizonDays: ');
    expect(loadErrorOf((doc) => (doc.maxWindowHours = 0)).message).toContain('maxWindowHours: ');
    expect(loadErrorOf((doc) => (doc.maxWindowHours = '72')).message).toContain('maxWindowHours: ');
    expect(loadErrorOf((doc) => (doc.maxWindowHours = 24 * 400)).message).toContain('maxWindowHours: ');
  });

  it('when there are no systems, then the message names systems', () => {
    expect(loadErrorOf((doc) => (doc.systems = {})).message).toContain('systems: at least one system is required');
  });

  it('when a system id has capitals, then the message names systems.<id>', () => {
    // zod 4 reports a bad record key as "Invalid key in record"; the schema's own wording is nested inside.
    expect(loadErrorOf((doc) => (doc.systems = { Tes: { displayName: 'Tes' } })).message).toContain('systems.Tes: ');
  });

  it('when several fields are wrong, then every one is named on one line', () => {
    const error = loadErrorOf((doc) => {
      doc.sendTime = '8:00';
      doc.reminder.businessDaysBefore = 0;
    });
    expect(error.message).toContain('sendTime: ');
    expect(error.message).toContain('reminder.businessDaysBefore: ');
    expect(error.message).not.toContain('\n');
  });
});

describe('loadPolicy support lines and their readers', () => {
  it('when a policy file writes support lines as plain strings, as before readers were named, then it loads and each line is for staff only', () => {
    const doc = defaultDocument();
    doc.support.hours = ['Tes: vardagar 08.00–16.30.'];
    doc.support.lockFaults = 'Använd backup-nyckeln.';
    doc.support.emails = [{ address: 'support@kommun.se', topic: 'Tes' }];
    const policy = parsePolicy(JSON.stringify(doc), 'old');
    expect(policy.support.hours).toEqual([{ text: 'Tes: vardagar 08.00–16.30.', for: ['staff'] }]);
    expect(policy.support.lockFaults).toEqual({ text: 'Använd backup-nyckeln.', for: ['staff'] });
    expect(policy.support.emails).toEqual([{ address: 'support@kommun.se', topic: 'Tes', for: ['staff'] }]);
  });

  it('when the bundled policy is loaded, then internal-only lines are for staff alone and the shared ones for everyone', () => {
    const { support } = loadPolicy();
    expect(support.hours.find((line) => line.text.includes('endast för kommunanställda'))?.for).toEqual(['staff']);
    expect(support.hours[0]!.for).toEqual(['staff', 'provider', 'public']);
    expect(support.emails.find((e) => e.address === '5500@orebro.se')?.for).toEqual(['staff']);
  });

  it('when a line names an unknown reader or none, then the policy is refused naming the field', () => {
    expect(loadErrorOf((doc) => (doc.support.hours = [{ text: 'x', for: ['citizens'] }])).message).toMatch(/support\.hours\.0/);
    expect(loadErrorOf((doc) => (doc.support.lockFaults = { text: 'x', for: [] })).message).toMatch(/support\.lockFaults/);
  });
});
