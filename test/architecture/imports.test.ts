import { readFileSync, readdirSync } from 'node:fs';
import madge from 'madge';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The shape of the import graph, checked by madge over src/ and workers/: no file imports
 * itself through others, and the adapters (the JSON API in src/http, the admin pages in
 * src/admin) reach data only through src/application.
 */

/** Modules that hold the data access and the services behind it; adapters call src/application instead. */
const BEHIND_THE_APPLICATION = [
  /-repository\.ts$/,
  /-service\.ts$/,
  // The database, its migrations and listeners; the row types in schema.ts are only types.
  /^src\/storage\/(?!schema\.ts$)/,
];
/** Kysely's query builder and raw SQL: a module that uses them talks to the database. */
const QUERIES = /\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`|^import (?!type )[^;]*from 'kysely'/m;

const ADAPTERS = /^src\/(http|admin)\//;

/**
 * Layers, from the composition root down: the root wires the adapters (the JSON API, the
 * admin pages, the workers), the adapters call the application, the application calls the
 * domain (rules, windows, notices, delivery, storage, ...). An import never goes up a layer,
 * and of the adapters only the admin pages may use the API's web helpers (auth, problems).
 */
const COMPOSITION = new Set(['src/service.ts', 'src/run-service.ts', 'src/main.ts', 'src/api-main.ts', 'workers/main.ts']);
const layerOf = (file: string): number =>
  COMPOSITION.has(file) ? 3 : /^(src\/http|src\/admin|workers)\//.test(file) ? 2 : file.startsWith('src/application/') ? 1 : 0;
const adapterOf = (file: string) => /^(src\/http|src\/admin|workers)\//.exec(file)?.[1];

/**
 * Imports allowed against the layers, each with the work that ends it; a test below makes
 * sure each is still there, so the list only shrinks.
 */
const KNOWN_BACK_EDGES = new Map<string, string>([]);

const tsFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => `${dir}/${f}`);

const edgesOf = (graph: Record<string, string[]>) => Object.entries(graph).flatMap(([file, imports]) => imports.map((target) => [file, target] as const));

describe('the import graph of src/ and workers/', () => {
  let graph: Record<string, string[]>;
  /** The same without `import type`: what a module runs when it is loaded. */
  let valueGraph: Record<string, string[]>;
  let cycles: string[][];

  beforeAll(async () => {
    // The sources import `./x.js`; with the tsconfig madge resolves those to `./x.ts`.
    const options = { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' };
    const result = await madge(['src', 'workers'], options);
    graph = result.obj();
    cycles = result.circular();
    // A relative import madge could not resolve would be an edge it silently dropped.
    expect(result.warnings().skipped.filter((s) => s.startsWith('.'))).toEqual([]);
    const skipTypes = { ts: { skipTypeImports: true }, tsx: { skipTypeImports: true } };
    valueGraph = (await madge(['src', 'workers'], { ...options, detectiveOptions: skipTypes })).obj();
  }, 60_000);

  it('when madge reads the sources, then it sees every file and the edges they import', () => {
    expect(Object.keys(graph).sort()).toEqual([...tsFiles('src'), ...tsFiles('workers')].sort());
    // Without these, a madge that resolved nothing would find no cycle and pass.
    expect(graph['src/service.ts']).toContain('src/http/app.ts');
    expect(graph['src/admin/admin-routes.ts']).toContain('src/application/app-deps.ts');
    expect(graph['workers/main.ts']?.length).toBeGreaterThan(0);
  });

  it('when the graph is followed, then no file imports itself through others', () => {
    expect(cycles).toEqual([]);
  });

  it('when an adapter imports, then it names no repository, service or database module', () => {
    const reached = edgesOf(graph)
      .filter(([file, target]) => ADAPTERS.test(file) && BEHIND_THE_APPLICATION.some((pattern) => pattern.test(target)))
      .map(([file, target]) => `${file} -> ${target}`);
    expect(reached).toEqual([]);
  });

  it('when an adapter runs, then no module it loads writes a query', () => {
    const reached = edgesOf(valueGraph)
      .filter(([file, target]) => ADAPTERS.test(file) && QUERIES.test(readFileSync(target, 'utf8')))
      .map(([file, target]) => `${file} -> ${target}`);
    // A type-only import (the Metrics class behind /metrics) is not running its queries.
    expect(edgesOf(valueGraph).length).toBeLessThan(edgesOf(graph).length);
    expect(reached).toEqual([]);
  });

  it('when an adapter is read, then it writes no query of its own', () => {
    const querying = Object.keys(graph).filter((file) => ADAPTERS.test(file) && QUERIES.test(readFileSync(file, 'utf8')));
    expect(querying).toEqual([]);
  });

  it('when a known back-edge is gone, then it is taken off the list', () => {
    const present = new Set(edgesOf(graph).map(([file, target]) => `${file} -> ${target}`));
    expect([...KNOWN_BACK_EDGES.keys()].filter((edge) => !present.has(edge))).toEqual([]);
  });

  it('when a module imports, then never from a layer above it, and of the adapters only admin uses http', () => {
    const upward = edgesOf(graph)
      .filter(([file, target]) => !KNOWN_BACK_EDGES.has(`${file} -> ${target}`))
      .filter(([file, target]) => {
        const [from, to] = [adapterOf(file), adapterOf(target)];
        const acrossAdapters = from !== undefined && to !== undefined && from !== to && !(from === 'src/admin' && to === 'src/http');
        return layerOf(target) > layerOf(file) || acrossAdapters;
      })
      .map(([file, target]) => `${file} -> ${target}`);
    expect(upward).toEqual([]);
  });
});
