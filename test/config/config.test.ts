import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../../src/policy/load-policy.js';
import { resolveLinkSecret, resolveTokens } from '../../src/runtime/admin-token.js';

/** The ConfigError a bad environment raises; fails the test when none is raised. */
function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'driftstopp-config-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('when the environment is empty, then every default of the contract applies', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      redisUrl: 'redis://127.0.0.1:6379',
      databaseUrl: undefined,
      smtpUrl: undefined,
      apiTokens: undefined,
      webhookSecret: undefined,
      dataDir: path.resolve('./data'),
      policyFile: DEFAULT_POLICY_FILE,
      smtpMaxConnections: 5,
      workerNice: 10,
      trustProxy: ['loopback'],
    });
    expect(config.mailFrom.address).toMatch(/@/);
    expect(config.policy).toEqual(loadPolicy());
    expect(config.webhooks).toEqual({ intranet: undefined, public: undefined, egetval: undefined });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when settings are blank, then they count as unset', () => {
    const config = loadConfig({ PORT: '', API_TOKENS: '', REDIS_URL: '' });
    expect(config).toMatchObject({ port: 3000, apiTokens: undefined, redisUrl: 'redis://127.0.0.1:6379' });
  });

  it('when API_TOKENS holds an admin and a viewer pair, then both are parsed with their roles', () => {
    const config = loadConfig({ API_TOKENS: 'admin:xxxxxxxxxxxxxxxxxxxx, viewer:yyyyyyyyyyyyyyyyyyyy' });
    expect(config.apiTokens).toEqual([
      { role: 'admin', token: 'xxxxxxxxxxxxxxxxxxxx' },
      { role: 'viewer', token: 'yyyyyyyyyyyyyyyyyyyy' },
    ]);
  });

  it('when PORT, REDIS_URL, SMTP_MAX_CONNECTIONS and webhooks are valid, then they are used', () => {
    const config = loadConfig({
      PORT: '8080',
      REDIS_URL: 'rediss://cache.example:6380',
      SMTP_MAX_CONNECTIONS: '12',
      INTRANET_WEBHOOK_URL: 'https://intranat.example/hook',
      WEBHOOK_SECRET: 'a-secret-of-sixteen-or-more',
    });
    expect(config).toMatchObject({ port: 8080, redisUrl: 'rediss://cache.example:6380', smtpMaxConnections: 12, webhookSecret: 'a-secret-of-sixteen-or-more' });
    expect(config.webhooks.intranet).toBe('https://intranat.example/hook');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL'],
    [{ SMTP_MAX_CONNECTIONS: '0' }, 'SMTP_MAX_CONNECTIONS'],
    [{ SMTP_MAX_CONNECTIONS: 'many' }, 'SMTP_MAX_CONNECTIONS'],
    [{ WORKER_NICE: '25' }, 'WORKER_NICE'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'loopback, 10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'proxy.example' }, 'TRUST_PROXY'],
    [{ API_TOKENS: 'boss:short' }, 'API_TOKENS'],
    [{ API_TOKENS: 'admin:short' }, 'API_TOKENS'],
    [{ API_TOKENS: 'adminxxxxxxxxxxxxxxxxxxxx' }, 'API_TOKENS'],
    [{ INTRANET_WEBHOOK_URL: 'https://intranat.example/hook' }, 'WEBHOOK_SECRET'],
    [{ PUBLIC_WEBHOOK_URL: 'https://orebro.example/hook', WEBHOOK_SECRET: 'short' }, 'WEBHOOK_SECRET'],
    [{ METRICS_PORT: '9464x' }, 'METRICS_PORT'],
    [{ METRICS_PORT: '65536' }, 'METRICS_PORT'],
    [{ METRICS_PORT: '-1' }, 'METRICS_PORT'],
    [{ TEMPLATES_DIR: DEFAULT_POLICY_FILE }, 'TEMPLATES_DIR'],
  ])('when the environment is %o, then a one-line ConfigError names %s', (env, name) => {
    const error = configErrorOf(env);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toContain(name);
    expect(error.message).not.toContain('\n');
  });

  it('when METRICS_PORT and TEMPLATES_DIR are set, then the port is a number and the folder a URL inside which templates resolve; unset, neither is used', () => {
    const config = loadConfig({ METRICS_PORT: '9464', TEMPLATES_DIR: tmp });
    expect(config.metricsPort).toBe(9464);
    expect(new URL('managers/announcement.html.hbs', config.templatesDir).pathname).toBe(path.join(tmp, 'managers/announcement.html.hbs'));
    expect(loadConfig({})).toMatchObject({ metricsPort: undefined, templatesDir: undefined });
  });

  it('when TRUST_PROXY names proxies or a hop count, then they are what Express is told to trust', () => {
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, 192.0.2.10, fd00::/8' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      '192.0.2.10',
      'fd00::/8',
    ]);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(0);
  });

  it('when a bad token is given, then the error does not echo the token', () => {
    expect(configErrorOf({ API_TOKENS: 'boss:secret-token-value-1234' }).message).not.toContain('secret-token-value-1234');
  });

  it('when POLICY_FILE points to a missing file, then a ConfigError names POLICY_FILE', () => {
    const error = configErrorOf({ POLICY_FILE: path.join(tmp, 'missing.json') });
    expect(error.message).toContain('POLICY_FILE');
    expect(error.message).toContain('missing.json');
  });

  it('when POLICY_FILE has a bad field, then a ConfigError names POLICY_FILE and the field', () => {
    const policy = JSON.parse(readFileSync(DEFAULT_POLICY_FILE, 'utf8'));
    const file = path.join(tmp, 'policy.json');
    writeFileSync(file, JSON.stringify({ ...policy, sendTime: '25:00' }));
    const error = configErrorOf({ POLICY_FILE: file });
    expect(error.message).toContain('POLICY_FILE');
    expect(error.message).toContain('sendTime');
  });

  it('when POLICY_FILE is not JSON, then a ConfigError names POLICY_FILE', () => {
    const file = path.join(tmp, 'policy.json');
    writeFileSync(file, '{ "municipality": ');
    expect(configErrorOf({ POLICY_FILE: file }).message).toContain('POLICY_FILE');
  });

  it('when POLICY_FILE holds a valid policy, then it is loaded in place of the default', () => {
    const policy = JSON.parse(readFileSync(DEFAULT_POLICY_FILE, 'utf8'));
    const file = path.join(tmp, 'policy.json');
    writeFileSync(file, JSON.stringify({ ...policy, municipality: 'Testkommun' }));
    const config = loadConfig({ POLICY_FILE: file });
    expect(config.policyFile).toBe(file);
    expect(config.policy.municipality).toBe('Testkommun');
  });
});

describe('resolveTokens', () => {
  it('when no tokens are configured, then the first call creates DATA_DIR/admin-token with mode 600, named "admin", and the second reuses it', () => {
    const dataDir = path.join(tmp, 'data');
    const first = resolveTokens(undefined, dataDir);
    expect(first.file).toBe(path.join(dataDir, 'admin-token'));
    expect(first.created).toMatch(/^[\w-]{32,}$/);
    expect(first.tokens).toEqual([{ role: 'admin', name: 'admin', token: first.created }]);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.file, 'utf8').trim()).toBe(first.created);

    const second = resolveTokens(undefined, dataDir);
    expect(second.created).toBeNull();
    expect(second.tokens).toEqual([{ role: 'admin', name: 'admin', token: first.created }]);
  });

  it('when tokens are configured, then they are used and no file is written', () => {
    const configured = [{ role: 'viewer' as const, token: 'yyyyyyyyyyyyyyyyyyyy' }];
    const result = resolveTokens(configured, tmp);
    expect(result).toMatchObject({ tokens: configured, created: null });
    expect(existsSync(path.join(tmp, 'admin-token'))).toBe(false);
  });
});

describe('resolveLinkSecret', () => {
  it('when LINK_SECRET is unset, then the first call creates DATA_DIR/link-secret with mode 600 and later calls read it', () => {
    const dataDir = path.join(tmp, 'data');
    const first = resolveLinkSecret(undefined, dataDir);
    const file = path.join(dataDir, 'link-secret');
    expect(first).toMatch(/^[\w-]{43}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveLinkSecret(undefined, dataDir)).toBe(first);
  });

  it('when another process wrote the file first, then its secret is used, so API and workers sign alike', () => {
    writeFileSync(path.join(tmp, 'link-secret'), 'secret-written-by-the-workers-process-0123\n', { mode: 0o600 });
    expect(resolveLinkSecret(undefined, tmp)).toBe('secret-written-by-the-workers-process-0123');
  });

  it('when LINK_SECRET is set, then it is used and no file is written', () => {
    const config = loadConfig({ LINK_SECRET: 'a-link-secret-of-at-least-32-characters', DATA_DIR: tmp });
    expect(resolveLinkSecret(config.linkSecret, config.dataDir)).toBe('a-link-secret-of-at-least-32-characters');
    expect(existsSync(path.join(tmp, 'link-secret'))).toBe(false);
  });

  it('when LINK_SECRET is shorter than 32 characters, then start-up stops naming it', () => {
    expect(configErrorOf({ LINK_SECRET: 'too-short-secret' }).message).toMatch(/LINK_SECRET.*at least 32 characters/);
  });
});
