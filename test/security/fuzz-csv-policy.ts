import fc from 'fast-check';

/** Text-level damage: a character inserted, removed or replaced at some position. */
function damaged(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(text, fc.array(fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.string({ minLength: 1, maxLength: 3 })), { maxLength: 4 }))
    .map(([source, edits]) =>
      edits.reduce((t, [at, edit, chars]) => {
        const i = t.length === 0 ? 0 : at % t.length;
        if (edit === 'insert') return t.slice(0, i) + chars + t.slice(i);
        if (edit === 'delete') return t.slice(0, i) + t.slice(i + 1);
        return t.slice(0, i) + chars + t.slice(i + chars.length);
      }, source),
    );
}

// --- recipient CSV -------------------------------------------------------------------------

const localPart = fc.stringMatching(/^[a-z0-9]{1,12}$/);
const email = fc.oneof(
  { weight: 4, arbitrary: localPart.map((l) => `${l}@orebro.se`) },
  { weight: 1, arbitrary: localPart.map((l) => ` ${l.toUpperCase()}@Orebro.SE `) },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.string({ maxLength: 30 }),
      localPart.map((l) => `${l}@orebro`),
      localPart.map((l) => `${l}@@orebro.se`),
      localPart.map((l) => `${l}@orebro.se\nBcc: evil@example.org`),
      localPart.map((l) => `"${l} <${l}@orebro.se>"`),
      localPart.map((l) => `${l}@örebro.se`),
      localPart.map((l) => `${l}.@orebro.se`),
      localPart.map((l) => `${l}@orebro.se;evil@example.org`),
      fc.constantFrom('', '@', 'a@b', '=HYPERLINK("x")@orebro.se', 'x@y.z\u0000'),
    ),
  },
);
const systems = fc.oneof(
  fc.constantFrom('tes', 'tes;careapp', 'Tes|CareLock', 'CARELOCK', 'tes;', ';;', 'tes;pascal', '__proto__', 'constructor', 'toString', ''),
  fc.string({ maxLength: 20 }),
);
const kind = fc.oneof(fc.constantFrom('chef', 'manager', 'provider', 'utförare', 'Utforare', 'CHEF', ''), fc.string({ maxLength: 10 }));
const text = fc.oneof(fc.constantFrom('Anna Åberg', 'Björn "Nisse" Öst', '=cmd|\' /C calc\'!A0', ''), fc.string({ maxLength: 30 }));

/** A field as a spreadsheet writes it: bare, or quoted with doubled quotes. */
const field = (value: fc.Arbitrary<string>) =>
  fc.tuple(value, fc.boolean()).map(([v, quoted]) => (quoted ? `"${v.replaceAll('"', '""')}"` : v));

const row = fc.tuple(field(text), field(email), field(kind), field(systems), field(text));
const HEADERS = ['name,email,kind,systems,unit', 'email,name,systems,kind', 'NAME,EMAIL,KIND,SYSTEMS', 'name,email,kind', 'name;email;kind;systems;unit', ''];

const wellFormedCsv = fc
  .tuple(fc.constantFrom(...HEADERS), fc.array(row, { maxLength: 12 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean())
  .map(([header, rows, eol, bom]) => {
    const delimiter = header.includes(';') ? ';' : ',';
    return (bom ? '\uFEFF' : '') + [header, ...rows.map((r) => r.join(delimiter))].join(eol);
  });

/** Random text, a file shaped like a recipient list, and such a file damaged. */
export const csvImport = fc.record({
  csv: fc.oneof({ weight: 1, arbitrary: fc.string({ maxLength: 300 }) }, { weight: 3, arbitrary: wellFormedCsv }, { weight: 3, arbitrary: damaged(wellFormedCsv) }),
  query: fc.constantFrom('', '', 'dryRun=true', 'dryRun=false', 'dryRun=yes', 'dryRun=true&dryRun=false'),
});

// --- policy --------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function pathsOf(value: Json, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => pathsOf(v, [...at, i]))];
  if (value && typeof value === 'object') return [at, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, k]))];
  return [at];
}

/** Values near what a policy field wants: wrong type, out of range, a bad zone, a bad time. */
const nearValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(-1, 0, 1.5, 366, 1e309 as number, '', '25:00', '09:60', '9:00', 'Mars/Olympus', 'UTC', 'se', 'XX', [], {}, null, 'not-an-email'),
);

/** The default policy with one to three fields replaced, removed or added, or its text damaged. */
export function mutatedPolicyText(defaultText: string): fc.Arbitrary<string> {
  const policy = JSON.parse(defaultText) as Json;
  const paths = pathsOf(policy).filter((p) => p.length > 0);
  const mutation = fc.tuple(fc.constantFrom(...paths), fc.constantFrom('set', 'delete', 'add'), nearValue, fc.string({ maxLength: 12 }));
  const mutated = fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => {
    const copy = structuredClone(policy) as Record<string | number, Json>;
    for (const [path, op, value, key] of mutations) {
      const parent = path.slice(0, -1).reduce<Json | undefined>((node, k) => (node as any)?.[k], copy) as any;
      if (parent === null || typeof parent !== 'object') continue;
      const last = path[path.length - 1]!;
      if (op === 'delete') Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last];
      else if (op === 'add' && !Array.isArray(parent)) Object.defineProperty(parent, key, { value, enumerable: true, configurable: true, writable: true });
      else parent[last] = value;
    }
    return JSON.stringify(copy, null, 2);
  });
  return fc.oneof({ weight: 3, arbitrary: mutated }, { weight: 1, arbitrary: damaged(fc.constant(defaultText)) });
}
