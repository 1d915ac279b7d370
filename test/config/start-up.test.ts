import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_FILE } from '../../src/policy/load-policy.js';
import { brokenTemplates } from '../support/broken-templates.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const API_MAIN = fileURLToPath(new URL('../../src/api-main.ts', import.meta.url));
const WORKERS_MAIN = fileURLToPath(new URL('../../workers/main.ts', import.meta.url));
/** Loading tsx takes a second or two on a busy machine; a hang would last forever. */
const DEADLINE_MS = 20_000;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'driftstopp-start-up-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Outcome {
  code: number | null;
  stderr: string;
  stdout: string;
  timedOut: boolean;
}

/** `npm run api` (or another entry) with this POLICY_FILE and settings, killed if it has not exited by the deadline. */
function startService(policyFile: string | undefined, env: Record<string, string> = {}, main = API_MAIN): Promise<Outcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // A Redis nobody listens on: were the policy accepted, start-up would fail later, on another line.
    env: {
      PATH: process.env.PATH,
      ...(policyFile ? { POLICY_FILE: policyFile } : {}),
      DATA_DIR: path.join(tmp, 'data'),
      REDIS_URL: 'redis://127.0.0.1:1',
      LOG_LEVEL: 'silent',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, DEADLINE_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout, timedOut });
    });
  });
}

function policyWith(name: string, change: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(readFileSync(DEFAULT_POLICY_FILE, 'utf8'));
  change(doc);
  const file = path.join(tmp, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

describe('start-up with a bad POLICY_FILE', () => {
  const fifo = path.join(tmp, 'policy.fifo');
  execFileSync('mkfifo', [fifo]);

  it.each([
    ['/dev/zero', () => '/dev/zero', 'is not a regular file'],
    ['a FIFO nobody writes to', () => fifo, 'is not a regular file'],
    ['a directory', () => tmp, 'is a directory'],
    ['a policy with an unknown holiday country', () => policyWith('country.json', (doc) => (doc.holidays.country = 'XQ')), 'holidays.country'],
    ['a file that is not JSON', () => (writeFileSync(path.join(tmp, 'broken.json'), '{ "municipality": "hemligt-123"'), path.join(tmp, 'broken.json')), 'not valid JSON'],
  ])('when POLICY_FILE is %s, then start-up stops at once with one line naming POLICY_FILE and quoting nothing of the file', async (_label, file, reason) => {
    const outcome = await startService(file());
    expect(outcome.timedOut).toBe(false);
    expect(outcome.code).toBe(1);
    const lines = outcome.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^configuration error: POLICY_FILE: /);
    expect(lines[0]).toContain(reason);
    expect(lines[0]).not.toContain('hemligt');
    expect(outcome.stdout).toBe('');
  }, DEADLINE_MS + 5_000);
});

describe('start-up with a template that cannot be rendered', () => {
  const broken = brokenTemplates('managers/announcement.html.hbs');
  afterAll(() => broken.remove());

  it.each([
    ['npm run api', API_MAIN],
    ['npm run workers', WORKERS_MAIN],
  ])('when TEMPLATES_DIR holds a template whose helper throws, then %s stops before it is ready with one line naming the template', async (_label, main) => {
    const outcome = await startService(undefined, { TEMPLATES_DIR: broken.dir }, main);
    expect(outcome.timedOut).toBe(false);
    expect(outcome.code).toBe(1);
    const lines = outcome.stderr.split('\n').filter(Boolean);
    expect(lines).toEqual([expect.stringMatching(/^start-up failed: TEMPLATES_DIR managers\/announcement\.html\.hbs: the managers announcement of a minor window cannot be rendered: .*#if requires exactly one argument/)]);
    // It stopped at the preflight, before Redis (nobody listens at REDIS_URL) was even tried.
    expect(outcome.stderr).not.toContain('Redis');
    expect(outcome.stdout).toBe('');
  }, DEADLINE_MS + 5_000);

  it('when TEMPLATES_DIR is not a folder, then start-up stops with one configuration line naming it', async () => {
    const outcome = await startService(undefined, { TEMPLATES_DIR: path.join(tmp, 'no-such-folder') });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.split('\n').filter(Boolean)).toEqual(['configuration error: TEMPLATES_DIR: cannot be read: ENOENT']);
  }, DEADLINE_MS + 5_000);
});

describe('start-up on a Redis Cluster', () => {
  it.each([
    ['npm run api', API_MAIN],
    ['npm run workers', WORKERS_MAIN],
  ])('when REDIS_URL is a cluster and QUEUE_PREFIX has no hash tag, then %s stops before any connection with one line naming QUEUE_PREFIX', async (_label, main) => {
    // Nobody listens on these ports: a start-up that got past the check would fail on another line.
    const outcome = await startService(undefined, { REDIS_URL: 'redis+cluster://:hemlig@127.0.0.1:1,127.0.0.1:2', QUEUE_PREFIX: 'driftstopp' }, main);
    expect(outcome.timedOut).toBe(false);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.split('\n').filter(Boolean)).toEqual([
      'configuration error: QUEUE_PREFIX: must hold a hash tag, a non-empty name in braces such as {driftstopp}, when REDIS_URL is a Redis Cluster (got "driftstopp")',
    ]);
    expect(outcome.stdout).toBe('');
  }, DEADLINE_MS + 5_000);

  it('when no node of the cluster answers, then start-up stops with one line naming REDIS_URL, without its password, and starts no private Redis', async () => {
    const outcome = await startService(undefined, { REDIS_URL: 'redis+cluster://:hemlig@127.0.0.1:1,127.0.0.1:2', QUEUE_PREFIX: '{driftstopp}' });
    expect(outcome.timedOut).toBe(false);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.split('\n').filter(Boolean)).toEqual([
      'start-up failed: REDIS_URL: the Redis Cluster at redis+cluster://:***@127.0.0.1:1,127.0.0.1:2 does not answer at any node named',
    ]);
  }, DEADLINE_MS + 5_000);
});
