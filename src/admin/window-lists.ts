import type { WindowListKind, WindowListQuery, WindowSortKey } from '../application/window-queries.js';
import type { Policy } from '../policy/policy-schema.js';
import type { WindowRow } from '../storage/schema.js';
import { windowSummary } from './window-form-view.js';

/** Rows per page of a list: a screenful on a laptop. */
export const LIST_PAGE_SIZE = 10;

/** The lists beside the calendar, by their name in the address (Swedish, as people see the links). */
const LISTS: Readonly<Record<string, { kind: WindowListKind; title: string; hint: string; descending: boolean }>> = {
  kommande: { kind: 'upcoming', title: 'Kommande', hint: 'Planerade driftstopp som inte har börjat.', descending: false },
  pagar: { kind: 'running', title: 'Pågår', hint: 'Driftstopp som pågår just nu.', descending: false },
  // What ended last is what people look for first.
  avslutade: { kind: 'done', title: 'Avslutade', hint: 'Genomförda och inställda driftstopp, det senaste först.', descending: true },
};

const SORTS: Readonly<Record<string, { key: WindowSortKey; label: string }>> = {
  start: { key: 'start', label: 'Tid' },
  rubrik: { key: 'title', label: 'Rubrik' },
  system: { key: 'systems', label: 'System' },
};

export interface ListRequest {
  /** The list's name in the address: kommande, pagar or avslutade. */
  name: string;
  query: WindowListQuery;
}

const one = (value: unknown) => (typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '');

/** The list asked for in the query string (`?lista=kommande&sok=tes&sortera=rubrik&ordning=fallande&sida=2`), or null for the calendar. */
export function readListRequest(query: Record<string, unknown>): ListRequest | null {
  const name = one(query.lista);
  const list = LISTS[name];
  if (!list) return null;
  const sort = SORTS[one(query.sortera)] ?? SORTS.start!;
  const order = one(query.ordning);
  const page = Number.parseInt(one(query.sida), 10);
  return {
    name,
    query: {
      list: list.kind,
      search: one(query.sok).trim().slice(0, 100),
      sort: sort.key,
      descending: order === 'fallande' ? true : order === 'stigande' ? false : list.descending,
      page: Number.isSafeInteger(page) && page > 0 ? page : 1,
      pageSize: LIST_PAGE_SIZE,
    },
  };
}

/** Everything the list view shows: the tabs, the search, the sortable columns, the rows and the pages. */
export function listContext(request: ListRequest, result: { rows: readonly WindowRow[]; total: number }, policy: Policy) {
  const { name, query } = request;
  const sortName = Object.entries(SORTS).find(([, s]) => s.key === query.sort)![0];
  const href = (changes: { lista?: string; sortera?: string; ordning?: string; sida?: number }) => {
    const params = new URLSearchParams({ lista: changes.lista ?? name });
    const search = changes.lista ? '' : query.search;
    if (search) params.set('sok', search);
    const sort = changes.sortera ?? (changes.lista ? undefined : sortName);
    if (sort && sort !== 'start') params.set('sortera', sort);
    const order = changes.ordning ?? (changes.lista ? undefined : query.descending ? 'fallande' : 'stigande');
    if (order) params.set('ordning', order);
    if (changes.sida && changes.sida > 1) params.set('sida', String(changes.sida));
    return `/admin?${params.toString()}`;
  };
  const pages = Math.max(1, Math.ceil(result.total / query.pageSize));
  const list = LISTS[name]!;
  return {
    name,
    title: list.title,
    hint: list.hint,
    search: query.search,
    columns: Object.entries(SORTS).map(([sort, s]) => {
      const sorted = s.key === query.sort;
      const nextOrder = sorted && !query.descending ? 'fallande' : 'stigande';
      return {
        label: s.label,
        sorted,
        ariaSort: sorted ? (query.descending ? 'descending' : 'ascending') : null,
        href: href({ sortera: sort, ordning: nextOrder, sida: 1 }),
        action: `Sortera på ${s.label.toLowerCase()}, ${nextOrder === 'stigande' ? 'stigande' : 'fallande'}`,
      };
    }),
    rows: result.rows.map((row) => windowSummary(row, policy)),
    total: result.total,
    totalText: result.total === 1 ? '1 driftstopp' : `${result.total} driftstopp`,
    page: query.page,
    pages,
    previous: query.page > 1 ? href({ sida: Math.min(query.page - 1, pages) }) : null,
    next: query.page < pages ? href({ sida: query.page + 1 }) : null,
  };
}

/** The links to the three lists, the one shown marked. */
export function listTabs(current: string | null): { title: string; href: string; current: boolean }[] {
  return Object.entries(LISTS).map(([name, list]) => ({ title: list.title, href: `/admin?lista=${name}`, current: name === current }));
}
