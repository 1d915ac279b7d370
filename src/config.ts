import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { describeZodError } from './errors.js';
import { parseMailFrom, type MailSender } from './messages/mail-sender.js';
import { DEFAULT_POLICY_FILE, loadPolicy } from './policy/load-policy.js';
import type { Policy } from './policy/policy-schema.js';
import { hashTagOf, isClusterUrl, parseRedisUrl } from './runtime/redis-url.js';
import { normalizeBaseUrl } from './runtime/urls.js';

export type Role = 'admin' | 'viewer';
export interface ApiToken {
  role: Role;
  token: string;
  /** Who holds it (`role:name:token`), shown in the audit trail and on the admin pages. */
  name?: string | undefined;
}

const url = (protocols: string[]) =>
  z
    .url()
    // z.url() does not stop the refinement: a value that is no URL at all must not throw here.
    .refine((value) => URL.canParse(value) && protocols.includes(new URL(value).protocol), `must be a ${protocols.join(' or ')} URL`);

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    REDIS_URL: z
      .string()
      .default('redis://127.0.0.1:6379')
      .superRefine((value, ctx) => void parseWith(parseRedisUrl, value, ctx)),
    SMTP_URL: url(['smtp:', 'smtps:']).optional(),
    SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100).default(5),
    SMTP_CA_FILE: z.string().min(1).optional().transform((file, ctx) => (file === undefined ? undefined : readCaFile(file, ctx))),
    MAIL_FROM: z
      .string()
      .default('Driftstopp <driftstopp@orebro.se>')
      .transform((value, ctx) => parseWith(parseMailFrom, value, ctx)),
    API_TOKENS: z
      .string()
      .optional()
      .transform((value, ctx) => (value === undefined || value.trim() === '' ? undefined : parseTokens(value, ctx))),
    POLICY_FILE: z.string().min(1).optional(),
    TEMPLATES_DIR: z.string().min(1).optional().transform((dir, ctx) => (dir === undefined ? undefined : templatesFolder(dir, ctx))),
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    INTRANET_WEBHOOK_URL: url(['http:', 'https:']).optional(),
    PUBLIC_WEBHOOK_URL: url(['http:', 'https:']).optional(),
    EGETVAL_WEBHOOK_URL: url(['http:', 'https:']).optional(),
    WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    PUBLIC_BASE_URL: url(['http:', 'https:'])
      .optional()
      .transform((value, ctx) => (value === undefined ? undefined : parseWith(normalizeBaseUrl, value, ctx))),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(10),
    WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
    // Unset: `driftstopp`, or `{driftstopp}` on a Redis Cluster (see below).
    QUEUE_PREFIX: z
      .string()
      .regex(/^[\w:{}-]+$/, 'may hold only letters, digits, _, -, : and the braces of a hash tag ({driftstopp})')
      .optional(),
    TRUST_PROXY: z.string().default('loopback').transform((value, ctx) => parseTrustProxy(value, ctx)),
  })
  .superRefine((env, ctx) => {
    // BullMQ's scripts touch many keys of a queue at once; on a cluster they must share one slot.
    if (env.QUEUE_PREFIX !== undefined && isClusterUrl(env.REDIS_URL) && hashTagOf(env.QUEUE_PREFIX) === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['QUEUE_PREFIX'],
        message: `must hold a hash tag, a non-empty name in braces such as {driftstopp}, when REDIS_URL is a Redis Cluster (got "${env.QUEUE_PREFIX}")`,
      });
    }
    const hooks = ['INTRANET_WEBHOOK_URL', 'PUBLIC_WEBHOOK_URL', 'EGETVAL_WEBHOOK_URL'] as const;
    if (hooks.some((name) => env[name]) && !env.WEBHOOK_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRET'], message: 'is required when a webhook URL is set' });
    }
  });

/** Runs a parser that throws, turning its message into a zod issue (so the one start-up line names the setting). */
function parseWith<T>(parse: (value: string) => T, value: string, ctx: z.RefinementCtx): T {
  try {
    return parse(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
}

/** Read at start-up, so an unreadable file stops it rather than the first send. */
function readCaFile(file: string, ctx: z.RefinementCtx): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
    return z.NEVER;
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    ctx.addIssue({ code: 'custom', message: `${file} holds no PEM certificate` });
    return z.NEVER;
  }
  return pem;
}

/** A folder as a URL ending in a slash, so template paths resolve inside it; what is in it the preflight checks. */
function templatesFolder(dir: string, ctx: z.RefinementCtx): URL {
  const resolved = path.resolve(dir);
  let isDirectory = false;
  try {
    isDirectory = statSync(resolved).isDirectory();
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
    return z.NEVER;
  }
  if (!isDirectory) {
    ctx.addIssue({ code: 'custom', message: 'is not a folder' });
    return z.NEVER;
  }
  return pathToFileURL(`${resolved}${path.sep}`);
}

/** A token's name: one line a person would write, without the list's separators. */
const TOKEN_NAME = /^[^\p{Cc}\p{Cf},:]{1,60}$/u;

/**
 * `role:token` or `role:name:token`, comma-separated. Neither a name nor a token may hold a
 * colon, so the two forms never read alike.
 */
function parseTokens(value: string, ctx: z.RefinementCtx): ApiToken[] {
  const tokens: ApiToken[] = [];
  for (const entry of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const parts = entry.split(':');
    const [role, name, token] = parts.length === 3 ? [parts[0], parts[1]!.trim(), parts[2]] : [parts[0], undefined, parts[1]];
    const validName = name === undefined || TOKEN_NAME.test(name);
    if ((parts.length !== 2 && parts.length !== 3) || (role !== 'admin' && role !== 'viewer') || !validName || token === undefined || token.length < 16) {
      ctx.addIssue({
        code: 'custom',
        message:
          'must be comma-separated role:token or role:name:token entries, role admin or viewer, a name of 1-60 characters without colons or commas, tokens of at least 16 characters without colons',
      });
      return z.NEVER;
    }
    tokens.push(name === undefined ? { role, token } : { role, name, token });
  }
  return tokens;
}

const NAMED_SUBNETS = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Which reverse proxies may name the client in X-Forwarded-For (Express's `trust proxy`):
 * a number of hops, or addresses, subnets (CIDR) and loopback/linklocal/uniquelocal, comma-separated.
 * Trusting everyone would let any client choose its own address, and so escape the rate limits.
 */
function parseTrustProxy(value: string, ctx: z.RefinementCtx): number | string[] {
  const trimmed = value.trim();
  if (/^\d{1,2}$/.test(trimmed)) return Number(trimmed);
  const entries = trimmed.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => {
    if (NAMED_SUBNETS.includes(entry)) return false;
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    return family === 0 || extra !== undefined || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits));
  });
  if (bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `"${bad}" is not a hop count, an address, a subnet or one of ${NAMED_SUBNETS.join(', ')}` });
    return z.NEVER;
  }
  return entries;
}

export interface Config {
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  /** One server (`redis://`, `rediss://`) or a Redis Cluster by its nodes (`redis+cluster://h1:p1,h2:p2`); see runtime/redis-url.ts. */
  redisUrl: string;
  /** `smtp://` or `smtps://`, user and password URL-encoded; nodemailer decodes them. */
  smtpUrl: string | undefined;
  /** PEM certificates (SMTP_CA_FILE) trusted for the SMTP server besides the system's, e.g. a relay's self-signed one. */
  smtpCa: string | undefined;
  /** SMTP connections per worker process. */
  smtpMaxConnections: number;
  /** MAIL_FROM, parsed once; every e-mail and invitation uses this form. */
  mailFrom: Readonly<MailSender>;
  /** Undefined: generate an admin token at first start (see runtime/admin-token.ts). */
  apiTokens: readonly ApiToken[] | undefined;
  policyFile: string;
  policy: Policy;
  /** TEMPLATES_DIR: notice templates laid out as the bundled `templates/`; undefined: the bundled ones. Checked by the preflight. */
  templatesDir: URL | undefined;
  /** Where a process running workers serves /metrics and /healthz; undefined: not served. */
  metricsPort: number | undefined;
  webhooks: { intranet?: string; public?: string; egetval?: string };
  webhookSecret: string | undefined;
  /** LINK_SECRET: the key personal links are signed with; unset, one is generated into DATA_DIR (`resolveLinkSecret`). */
  linkSecret: string | undefined;
  /** Where the service is reached from outside, without a trailing slash (`https://kommun.example/driftstopp`); build links with `publicUrl`. */
  publicBaseUrl: string;
  logLevel: string;
  /** Niceness of a workers-only process, so a fan-out yields the CPU to the API on a shared machine. */
  workerNice: number;
  workerConcurrency: number;
  /** BullMQ's key prefix; on a Redis Cluster it holds a hash tag (`{driftstopp}`), so each queue's keys share a slot. */
  queuePrefix: string;
  /** Express's `trust proxy`: hops, or the proxies' addresses and subnets. */
  trustProxy: number | readonly string[];
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads the environment and the policy once; throws a ConfigError with one line naming the bad setting. */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = envSchema.safeParse(blankAsUnset);
  if (!result.success) throw new ConfigError(`configuration error: ${describeZodError(result.error)}`);
  const e = result.data;
  const policyFile = e.POLICY_FILE ?? DEFAULT_POLICY_FILE;
  let policy: Policy;
  try {
    policy = loadPolicy(policyFile);
  } catch (error) {
    throw new ConfigError(`configuration error: POLICY_FILE: ${(error as Error).message}`);
  }
  return Object.freeze({
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    redisUrl: e.REDIS_URL,
    smtpUrl: e.SMTP_URL,
    smtpCa: e.SMTP_CA_FILE,
    smtpMaxConnections: e.SMTP_MAX_CONNECTIONS,
    mailFrom: Object.freeze(e.MAIL_FROM),
    apiTokens: e.API_TOKENS ? Object.freeze(e.API_TOKENS) : undefined,
    policyFile,
    policy,
    templatesDir: e.TEMPLATES_DIR,
    metricsPort: e.METRICS_PORT,
    webhooks: Object.freeze({
      intranet: e.INTRANET_WEBHOOK_URL,
      public: e.PUBLIC_WEBHOOK_URL,
      egetval: e.EGETVAL_WEBHOOK_URL,
    }),
    webhookSecret: e.WEBHOOK_SECRET,
    linkSecret: e.LINK_SECRET,
    publicBaseUrl: e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`,
    logLevel: e.LOG_LEVEL,
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerNice: e.WORKER_NICE,
    queuePrefix: e.QUEUE_PREFIX ?? (isClusterUrl(e.REDIS_URL) ? '{driftstopp}' : 'driftstopp'),
    trustProxy: typeof e.TRUST_PROXY === 'number' ? e.TRUST_PROXY : Object.freeze(e.TRUST_PROXY),
  });
}
