import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { publicationUrls } from '../../src/publications/public-listing.js';
import { publicPageUrlFor } from '../../src/messages/render-notice.js';
import { VERSION } from '../../src/service.js';
import { DEFAULT_POLICY_FILE } from '../../src/policy/load-policy.js';
import { hashTagOf, parseRedisUrl } from '../../src/runtime/redis-url.js';
import { withoutPassword } from '../../src/runtime/urls.js';

/** The one start-up line a bad environment gives; fails the test when loadConfig accepts it. */
function startUpLine(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'driftstopp-forms-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('MAIL_FROM forms', () => {
  it.each([
    ['a@b', { name: undefined, address: 'a@b' }],
    ['Name <a@b>', { name: 'Name', address: 'a@b' }],
    ['"Efternamn, Förnamn" <a@b>', { name: 'Efternamn, Förnamn', address: 'a@b' }],
    ['Åsa Öberg – Vård & omsorg <driftstopp@örebro.se>', { name: 'Åsa Öberg – Vård & omsorg', address: 'driftstopp@örebro.se' }],
    ['<a@b>', { name: undefined, address: 'a@b' }],
  ])('when MAIL_FROM is %s, then it is parsed once into a name and an address', (value, expected) => {
    expect(loadConfig({ MAIL_FROM: value }).mailFrom).toEqual(expected);
  });

  it.each([
    ['not an address'],
    ['a@b, c@d'],
    ['Team: a@b, c@d;'],
    ['Name <a@>'],
    ['a@b\r\nBcc: x@y'],
  ])('when MAIL_FROM is %j, then start-up stops with one line naming MAIL_FROM', (value) => {
    const line = startUpLine({ MAIL_FROM: value });
    expect(line).toContain('MAIL_FROM');
    expect(line).not.toContain('\n');
  });
});

describe('PUBLIC_BASE_URL forms', () => {
  it.each([
    ['https://driftstopp.kommun.example', 'https://driftstopp.kommun.example'],
    ['https://driftstopp.kommun.example/', 'https://driftstopp.kommun.example'],
    ['https://kommun.example/driftstopp', 'https://kommun.example/driftstopp'],
    ['https://kommun.example/driftstopp/', 'https://kommun.example/driftstopp'],
    ['http://127.0.0.1:8080//', 'http://127.0.0.1:8080'],
  ])('when PUBLIC_BASE_URL is %s, then every link is joined under it without //', (value, base) => {
    const config = loadConfig({ PUBLIC_BASE_URL: value });
    expect(config.publicBaseUrl).toBe(base);
    const links = [publicPageUrlFor(config.publicBaseUrl), ...Object.values(publicationUrls(config.publicBaseUrl))];
    expect(links[0]).toBe(`${base}/public/driftstopp`);
    for (const link of links) expect(link.replace(/^https?:\/\//, '')).not.toContain('//');
  });

  it('when PUBLIC_BASE_URL is unset, then links point at http://localhost:PORT', () => {
    expect(loadConfig({ PORT: '8080' }).publicBaseUrl).toBe('http://localhost:8080');
  });

  it.each([['ftp://kommun.example'], ['https://kommun.example/?a=1'], ['https://user:pw@kommun.example'], ['kommun.example']])(
    'when PUBLIC_BASE_URL is %s, then start-up stops with one line naming PUBLIC_BASE_URL',
    (value) => {
      expect(startUpLine({ PUBLIC_BASE_URL: value })).toContain('PUBLIC_BASE_URL');
    },
  );
});

describe('SMTP_URL and SMTP_CA_FILE forms', () => {
  it.each([['smtp://127.0.0.1:2525'], ['smtps://smtp.kommun.example'], ['smtp://user%40kommun:p%C3%A4ss@smtp.kommun.example:587']])(
    'when SMTP_URL is %s, then it is accepted as given (nodemailer decodes the user and password)',
    (value) => {
      expect(loadConfig({ SMTP_URL: value }).smtpUrl).toBe(value);
    },
  );

  it('when SMTP_URL is not smtp or smtps, then start-up stops naming SMTP_URL', () => {
    expect(startUpLine({ SMTP_URL: 'http://smtp.kommun.example' })).toContain('SMTP_URL');
  });

  it('when SMTP_CA_FILE cannot be read or holds no certificate, then start-up stops naming SMTP_CA_FILE', () => {
    expect(startUpLine({ SMTP_CA_FILE: path.join(tmp, 'missing.pem') })).toContain('SMTP_CA_FILE');
    const notPem = path.join(tmp, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(startUpLine({ SMTP_CA_FILE: notPem })).toContain('SMTP_CA_FILE');
  });
});

describe('REDIS_URL forms', () => {
  it.each([['redis://127.0.0.1:6379'], ['redis://:secret@127.0.0.1:6390/3'], ['redis://user:p%40ss@redis.kommun.example:6379/1'], ['rediss://cache.kommun.example:6380']])(
    'when REDIS_URL is %s, then it is accepted as given',
    (value) => {
      expect(loadConfig({ REDIS_URL: value }).redisUrl).toBe(value);
      expect(parseRedisUrl(value)).toEqual({ kind: 'server', url: value });
    },
  );

  const node = (host: string, port = 7000) => ({ host, port });
  it.each([
    ['one node', 'redis+cluster://10.0.0.1:7000', { nodes: [node('10.0.0.1')] }],
    ['three nodes', 'redis+cluster://10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7001', { nodes: [node('10.0.0.1'), node('10.0.0.2'), node('10.0.0.3', 7001)] }],
    ['a password for every node', 'redis+cluster://:hemlig@10.0.0.1:7000,10.0.0.2:7000', { nodes: [node('10.0.0.1'), node('10.0.0.2')], password: 'hemlig' }],
    [
      'an ACL user and a URL-encoded password',
      'redis+cluster://driftstopp:p%40ss%3A%C3%B6@redis-1.kommun.example:7000,redis-2.kommun.example:7000',
      { nodes: [node('redis-1.kommun.example'), node('redis-2.kommun.example')], username: 'driftstopp', password: 'p@ss:ö' },
    ],
    ['TLS (rediss+cluster) without a port', 'rediss+cluster://cache.kommun.example', { nodes: [node('cache.kommun.example', 6379)], tls: true }],
    ['IPv6 nodes', 'redis+cluster://[::1]:7000,[::1]:7001', { nodes: [node('::1'), node('::1', 7001)] }],
    ['spaces after the commas and a trailing slash', 'redis+cluster://a.example:7000, b.example:7000/', { nodes: [node('a.example'), node('b.example')] }],
    ['the scheme in capitals', 'REDIS+CLUSTER://a.example:7000', { nodes: [node('a.example')] }],
  ])('when REDIS_URL is a Redis Cluster by %s (%s), then it is accepted as given and names those nodes', (_label, value, expected) => {
    expect(loadConfig({ REDIS_URL: value }).redisUrl).toBe(value);
    expect(parseRedisUrl(value)).toEqual({ kind: 'cluster', username: undefined, password: undefined, tls: false, ...expected });
  });

  it.each([
    ['redis+cluster://10.0.0.1:7000/3', 'only database 0'],
    ['redis+cluster://10.0.0.1:7000?family=6', 'holds only nodes'],
    ['redis+cluster://', 'none empty'],
    ['redis+cluster://10.0.0.1:7000,,10.0.0.2:7000', 'none empty'],
    ['redis+cluster://10.0.0.1:7000,', 'none empty'],
    ['redis+cluster://10.0.0.1:port', 'is not a node'],
    ['redis+cluster://10.0.0.1:7000:7001', 'is not a node'],
    ['redis+cluster://a.example:7000,user@b.example:7000', 'once, before the first node'],
    ['redis+cluster://user:p%ZZ@a.example:7000', 'must be URL-encoded'],
    ['redis://10.0.0.1:7000,10.0.0.2:7000', 'redis+cluster://host1:port1,host2:port2'],
    ['redis+sentinel://10.0.0.1:26379', 'must be a redis, rediss, redis+cluster or rediss+cluster URL'],
  ])('when REDIS_URL is %s, then start-up stops with one line naming REDIS_URL and saying why', (value, why) => {
    const line = startUpLine({ REDIS_URL: value });
    expect(line).toMatch(/^configuration error: REDIS_URL: /);
    expect(line).toContain(why);
    expect(line).not.toContain('\n');
  });

  it('when a cluster URL holds a password, then a log line shows it masked, with every node', () => {
    expect(withoutPassword('redis+cluster://driftstopp:p%40ss@10.0.0.1:7000,10.0.0.2:7000')).toBe('redis+cluster://driftstopp:***@10.0.0.1:7000,10.0.0.2:7000');
    expect(withoutPassword('rediss+cluster://:hemlig@10.0.0.1:7000')).toBe('rediss+cluster://:***@10.0.0.1:7000');
    expect(withoutPassword('redis+cluster://10.0.0.1:7000,10.0.0.2:7000')).toBe('redis+cluster://10.0.0.1:7000,10.0.0.2:7000');
  });
});

describe('QUEUE_PREFIX forms', () => {
  const CLUSTER = 'redis+cluster://10.0.0.1:7000,10.0.0.2:7000';

  it('when QUEUE_PREFIX is unset, then it is driftstopp on one server and {driftstopp} on a cluster', () => {
    expect(loadConfig({}).queuePrefix).toBe('driftstopp');
    expect(loadConfig({ REDIS_URL: CLUSTER }).queuePrefix).toBe('{driftstopp}');
  });

  it.each([
    ['{driftstopp}', 'driftstopp'],
    ['{driftstopp}:prod', 'driftstopp'],
    ['drift{stopp}', 'stopp'],
    ['kommun:{orebro}:driftstopp', 'orebro'],
    ['{orebro}{driftstopp}', 'orebro'],
    ['}{driftstopp}', 'driftstopp'],
  ])('when QUEUE_PREFIX is %s on a cluster, then it is accepted and its keys hash by "%s"', (prefix, tag) => {
    expect(loadConfig({ REDIS_URL: CLUSTER, QUEUE_PREFIX: prefix }).queuePrefix).toBe(prefix);
    // BullMQ's keys are prefix:queue:suffix; Redis hashes each by the same tag.
    for (const key of [`${prefix}:notices:wait`, `${prefix}:deliveries:delivery-1-b0`, `${prefix}:maintenance:repeat:reconciler`]) expect(hashTagOf(key)).toBe(tag);
  });

  it.each([
    ['driftstopp', 'no braces'],
    ['{}', 'empty braces'],
    ['{}driftstopp', 'empty braces first'],
    ['{}{driftstopp}', 'empty braces before a tag (Redis reads only the first pair)'],
    ['{driftstopp', 'an opening brace only'],
    ['driftstopp}', 'a closing brace only'],
    ['}driftstopp{', 'the braces the wrong way round'],
  ])('when QUEUE_PREFIX is %s (%s) on a cluster, then start-up stops with one line naming QUEUE_PREFIX and the hash tag it needs', (prefix) => {
    const line = startUpLine({ REDIS_URL: CLUSTER, QUEUE_PREFIX: prefix });
    expect(line).toMatch(/^configuration error: QUEUE_PREFIX: must hold a hash tag/);
    expect(line).toContain('{driftstopp}');
    expect(line).not.toContain('\n');
    // The same prefix is fine on one server, where nothing is hashed.
    expect(loadConfig({ QUEUE_PREFIX: prefix }).queuePrefix).toBe(prefix);
  });

  it.each([['{ driftstopp }'], ['{driftstöpp}'], ['drift stopp'], ['{driftstopp}\n']])('when QUEUE_PREFIX is %j, then start-up stops naming QUEUE_PREFIX and the characters it may hold', (prefix) => {
    for (const env of [{ QUEUE_PREFIX: prefix }, { REDIS_URL: CLUSTER, QUEUE_PREFIX: prefix }] as Record<string, string>[]) {
      const line = startUpLine(env);
      expect(line).toMatch(/^configuration error: QUEUE_PREFIX: may hold only/);
      expect(line).not.toContain('\n');
    }
  });
});

describe('POLICY_FILE and senderName', () => {
  const policyWith = (change: (policy: any) => void) => {
    const policy = JSON.parse(readFileSync(DEFAULT_POLICY_FILE, 'utf8'));
    change(policy);
    const file = path.join(tmp, `policy-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(policy));
    return file;
  };

  it('when the policy has no senderName, then the invitation organizer is named "Driftstopp"', () => {
    expect(loadConfig({ POLICY_FILE: policyWith((p) => delete p.senderName) }).policy.senderName).toBe('Driftstopp');
  });

  it('when the policy\'s senderName has a line break, then start-up stops naming POLICY_FILE and senderName', () => {
    const line = startUpLine({ POLICY_FILE: policyWith((p) => (p.senderName = 'Drift\nstopp')) });
    expect(line).toContain('POLICY_FILE');
    expect(line).toContain('senderName');
  });

  it('when the policy is in Europe/Helsinki with a fourth system, then it is accepted', () => {
    const file = policyWith((p) => {
      p.timezone = 'Europe/Helsinki';
      p.systems.lifecare = { displayName: 'Lifecare' };
    });
    const { policy } = loadConfig({ POLICY_FILE: file });
    expect(policy.timezone).toBe('Europe/Helsinki');
    expect(Object.keys(policy.systems)).toEqual(['tes', 'careapp', 'carelock', 'lifecare']);
  });
});

describe('the version', () => {
  it('when the service reports its version, then it is package.json\'s', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });
});

describe('API_TOKENS forms', () => {
  it.each([
    ['admin:xxxxxxxxxxxxxxxxxxxx', [{ role: 'admin', token: 'xxxxxxxxxxxxxxxxxxxx' }]],
    ['admin:Anna:xxxxxxxxxxxxxxxxxxxx', [{ role: 'admin', name: 'Anna', token: 'xxxxxxxxxxxxxxxxxxxx' }]],
    [
      'admin:Åsa Öberg:xxxxxxxxxxxxxxxxxxxx, viewer:yyyyyyyyyyyyyyyyyyyy',
      [
        { role: 'admin', name: 'Åsa Öberg', token: 'xxxxxxxxxxxxxxxxxxxx' },
        { role: 'viewer', token: 'yyyyyyyyyyyyyyyyyyyy' },
      ],
    ],
  ])('when API_TOKENS is %s, then each token is parsed with its role and, when given, its name', (value, expected) => {
    expect(loadConfig({ API_TOKENS: value }).apiTokens).toEqual(expected);
  });

  it.each([
    ['admin:Anna:short'],
    ['admin::xxxxxxxxxxxxxxxxxxxx'],
    ['admin:Anna:Berg:xxxxxxxxxxxxxxxxxxxx'],
    ['boss:Anna:xxxxxxxxxxxxxxxxxxxx'],
  ])('when API_TOKENS is %s, then start-up stops with one line naming API_TOKENS and not the token', (value) => {
    const line = startUpLine({ API_TOKENS: value });
    expect(line).toMatch(/^configuration error: API_TOKENS: /);
    expect(line).not.toContain('xxxxxxxxxxxxxxxxxxxx');
    expect(line).not.toContain('\n');
  });
});
