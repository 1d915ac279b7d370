import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { z } from 'zod';
import { operations } from '../../src/http/openapi.js';
import { AUDIENCES } from '../../src/policy/policy-schema.js';
import { ADMIN_TOKEN, VIEWER_TOKEN } from '../support/api.js';
import { fillPath, validWriteBody, type Operation, type PathIds } from './security-fixtures.js';

/** One request as the fuzzer sends it; printed by fast-check when a property fails. */
export interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer> | undefined;
}

/** The methods each path has in the OpenAPI list, so a method is picked among the path's own. */
const methodsOf = new Map<string, string[]>();
for (const op of operations) methodsOf.set(op.path, [...(methodsOf.get(op.path) ?? []), op.method.toUpperCase()]);

export const anyOperation = fc.constantFrom(...operations);

/** Ids that may or may not exist, or may not decode at all. */
export function pathSegment(ids: PathIds): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(ids.windowId, ids.recipientId, ids.seriesId, ids.disruptionId) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 3, arbitrary: fc.string({ maxLength: 60 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent) },
    { weight: 2, arbitrary: fc.constantFrom('%00', '..', '%2e%2e', '%2F', '-1', '0', 'null', '%20', '%C3%A5', 'x'.repeat(3000)) },
  );
}

/**
 * A segment that is not valid percent-encoding (`%`, `%ZZ`, a cut UTF-8 sequence). Kept out of
 * pathSegment: it found a bug of its own, and would otherwise hide whatever else the path fuzz finds.
 */
export const malformedEscape: fc.Arbitrary<string> = fc
  .tuple(fc.stringMatching(/^[a-z0-9-]{0,8}$/), fc.constantFrom('%', '%Z', '%ZZ', '%C3', '%E0%A4%A', '%FF', '%%'), fc.stringMatching(/^[a-z0-9-]{0,8}$/))
  .map(([before, bad, after]) => before + bad + after);

/** `op.path` with every parameter replaced by `segment` (the audience too, or a real audience). */
export function fuzzedPath(op: Operation, ids: PathIds, segment = pathSegment(ids)): fc.Arbitrary<string> {
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  if (names.length === 0) return fc.constant(op.path);
  const values = names.map((name) => (name === 'audience' ? fc.oneof(fc.constantFrom(...AUDIENCES), segment) : segment));
  return fc.tuple(...values).map((filled) => names.reduce((path, name, i) => path.replace(`{${name}}`, filled[i]!), op.path));
}

/** Strings that look like what the query parameters want, just off (bad dates, years 0 and 9999). */
const nearInstant = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.option(fc.tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }))),
    fc.constantFrom('Z', '+02:00', '+14:00', '-12:00', '+23:59', '', '+2'),
  )
  .map(([y, m, d, time, offset]) => {
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const date = `${p(y, 4)}-${p(m)}-${p(d)}`;
    return time ? `${date}T${p(time[0])}:${p(time[1])}:00${offset}` : date;
  });

const queryValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  nearInstant,
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer().map(String),
  fc.constantFrom('true', 'false', 'csv', 'json', 'xml', 'managers', 'manager', 'tes', 'scheduled,cancelled', 'scheduled,,', '', '1e3', '0x10'),
);

function queryKey(op: Operation): fc.Arbitrary<string> {
  const known = Object.keys((op.query as z.ZodObject | undefined)?.shape ?? {});
  return fc.oneof(
    { weight: 4, arbitrary: known.length > 0 ? fc.constantFrom(...known) : fc.constant('from') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'from[gte]', 'status[]', 'kind[0]', 'toString') },
  );
}

/** A query string: known and unknown keys, repeated keys (arrays), and now and then raw, malformed escapes. */
export function fuzzedQuery(op: Operation): fc.Arbitrary<string> {
  const pair = fc.tuple(queryKey(op), queryValue, fc.boolean()).map(([k, v, raw]) =>
    raw ? `${k.replace(/[#&=\s]/g, '')}=${v.replace(/[#&\s]/g, '')}%` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`,
  );
  return fc.array(pair, { maxLength: 5 }).map((pairs) => pairs.join('&'));
}

const tokenHeader: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ authorization: `Bearer ${ADMIN_TOKEN}` }) },
  { weight: 1, arbitrary: fc.constant({ authorization: `Bearer ${VIEWER_TOKEN}` }) },
  { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>({}, { authorization: 'Bearer nope' }, { authorization: 'Basic !!!' }) },
);

/** A valid write body with one field replaced, removed or added; it may still be valid. */
function mutatedBody(op: Operation): fc.Arbitrary<unknown> {
  const { body } = validWriteBody(op);
  if (typeof body !== 'object' || body === null) return fc.jsonValue();
  const keys = Object.keys(body);
  return fc.tuple(fc.constantFrom(...keys, 'extra', '__proto__'), fc.jsonValue({ maxDepth: 3 }), fc.boolean()).map(([key, value, remove]) => {
    const copy: Record<string, unknown> = { ...body };
    if (remove) delete copy[key];
    else Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    return copy;
  });
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/merge-patch+json', 'application/vnd.api+json'];
const WRONG_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/csv',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=nope',
  'application/octet-stream',
  '*/*',
  'application/',
];

type Body = { body?: string | Uint8Array<ArrayBuffer>; headers: Record<string, string> };

/** JSON values, near-valid bodies, random text, wrong types, huge and deeply nested bodies, bad encodings. */
export function fuzzedBody(op: Operation): fc.Arbitrary<Body> {
  const json = (type: string) => (value: unknown): Body => ({ body: JSON.stringify(value) ?? 'null', headers: { 'content-type': type } });
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<Body>({ headers: {} }) },
    { weight: 4, arbitrary: fc.tuple(fc.jsonValue(), fc.constantFrom(...JSON_TYPES)).map(([v, t]) => json(t)(v)) },
    { weight: 4, arbitrary: mutatedBody(op).map(json('application/json')) },
    { weight: 3, arbitrary: fc.tuple(fc.string({ maxLength: 200 }), fc.constantFrom(...JSON_TYPES, ...WRONG_TYPES)).map(([s, t]) => ({ body: s, headers: { 'content-type': t } })) },
    { weight: 2, arbitrary: fc.tuple(fc.jsonValue(), fc.constantFrom(...WRONG_TYPES)).map(([v, t]) => json(t)(v)) },
    { weight: 1, arbitrary: fc.integer({ min: 90_000, max: 250_000 }).map((n) => json('application/json')({ title: 'x'.repeat(n) })) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 100, max: 40_000 }), fc.boolean()).map(([depth, arrays]): Body => ({
        body: arrays ? `{"title":${'['.repeat(depth)}${']'.repeat(depth)}}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
        headers: { 'content-type': 'application/json' },
      })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.jsonValue(), fc.constantFrom('gzip', 'identity', 'compress', 'x-nope')).map(([v, encoding]): Body => ({
        body: encoding === 'gzip' ? gzipSync(JSON.stringify(v) ?? 'null') : (JSON.stringify(v) ?? 'null'),
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      })),
    },
  );
}

/**
 * A body that says it is compressed (gzip, deflate, br) but is not. Kept out of fuzzedBody for
 * the same reason as malformedEscape.
 */
export const falselyEncodedBody: fc.Arbitrary<Body> = fc
  .tuple(fc.jsonValue(), fc.constantFrom('gzip', 'deflate', 'br'), fc.constantFrom('application/json', 'text/csv'))
  .map(([v, encoding, type]) => ({ body: JSON.stringify(v) ?? 'null', headers: { 'content-type': type, 'content-encoding': encoding } }));

/** Some headers the service reads besides the token and the body's type. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'idempotency-key': fc.stringMatching(/^[\x20-\x7e]{0,220}$/),
    accept: fc.constantFrom('text/csv', 'application/json', '*/*', 'text/html', 'application/problem+json', 'nonsense'),
  },
  { requiredKeys: [] },
);

export interface RequestParts {
  path?: fc.Arbitrary<string>;
  query?: fc.Arbitrary<string>;
  body?: fc.Arbitrary<Body>;
  headers?: fc.Arbitrary<Record<string, string>>;
}

/**
 * A request of one operation: the parts not given are valid (the real path, no query, the
 * valid body), so each property varies one thing and a bug in one place does not hide others.
 */
export function fuzzedRequest(ids: PathIds, parts: (op: Operation) => RequestParts): fc.Arbitrary<FuzzRequest> {
  return anyOperation.chain((op) => {
    const p = parts(op);
    const valid = validWriteBody(op);
    const validBody: Body = valid.body === undefined ? { headers: {} } : {
      body: typeof valid.body === 'string' ? valid.body : JSON.stringify(valid.body),
      headers: { 'content-type': valid.contentType ?? 'application/json' },
    };
    const methods = methodsOf.get(op.path)!;
    return fc
      .record({
        method: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...methods) }, { weight: 1, arbitrary: fc.constantFrom('PUT', 'OPTIONS', 'DELETE', 'POST') }),
        path: p.path ?? fc.constant(fillPath(op.path, ids)),
        query: p.query ?? fc.constant(''),
        body: p.body ?? fc.constant(validBody),
        token: tokenHeader,
        extra: p.headers ?? fc.constant({}),
      })
      .map(({ method, path, query, body, token, extra }) => ({
        method,
        path,
        query,
        headers: { ...token, ...extra, ...(method === 'GET' ? {} : body.headers) },
        body: method === 'GET' ? undefined : body.body,
      }));
  });
}
