import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Response } from 'express';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { formatDateTime, formatDeadline, formatWhen } from '../messages/swedish-time.js';
import { TEMPLATES_DIR } from '../messages/render-notice.js';
import type { AdminSession } from './admin-session.js';

const ADMIN_TEMPLATES = new URL('admin/', TEMPLATES_DIR);
const ASSETS_DIR = new URL('./assets/', import.meta.url);

/** What every page knows about who is looking. */
export interface PageFrame {
  title: string;
  session: AdminSession | null;
  csrfToken: string | null;
  /** The navigation entry to mark as the current page. */
  nav?: 'calendar' | 'new' | 'series' | 'recipients' | 'disruptions' | undefined;
  /** A confirmation shown at the top of the page, already in Swedish. */
  notice?: string | undefined;
}

interface Compiled {
  layout: Handlebars.TemplateDelegate;
  pages: Map<string, Handlebars.TemplateDelegate>;
}

let cache: Compiled | undefined;

/**
 * Compiled once per process with an instance of its own, so the admin partials never mix
 * with the notice templates' partials. Every value goes through Handlebars' HTML escaping.
 */
function compiled(): Compiled {
  if (cache) return cache;
  const engine = Handlebars.create();
  engine.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  engine.registerHelper('or', (a: unknown, b: unknown) => Boolean(a) || Boolean(b));
  const read = (path: string) => readFileSync(new URL(path, ADMIN_TEMPLATES), 'utf8');
  for (const file of readdirSync(new URL('partials/', ADMIN_TEMPLATES))) {
    const name = file.replace(/\.html\.hbs$/, '');
    engine.registerPartial(name, engine.compile(read(`partials/${file}`)));
  }
  const pages = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of readdirSync(new URL('pages/', ADMIN_TEMPLATES))) {
    pages.set(file.replace(/\.html\.hbs$/, ''), engine.compile(read(`pages/${file}`)));
  }
  cache = { layout: engine.compile(read('layout.html.hbs')), pages };
  return cache;
}

/** One asset served by the router, with a content hash for its URL so it can be cached long. */
export interface Asset {
  body: Buffer;
  contentType: string;
  version: string;
}

export const ASSETS: ReadonlyMap<string, Asset> = new Map(
  (
    [
      ['admin.css', 'text/css; charset=utf-8'],
      ['admin.js', 'text/javascript; charset=utf-8'],
    ] as const
  ).map(([name, contentType]) => {
    const body = readFileSync(new URL(name, ASSETS_DIR));
    return [name, { body, contentType, version: createHash('sha256').update(body).digest('hex').slice(0, 12) }];
  }),
);

const assetUrl = (name: string) => `/admin/assets/${name}?v=${ASSETS.get(name)!.version}`;

/** Renders a page into the layout and sends it; authenticated pages are never stored by caches. */
export function sendPage(res: Response, page: string, frame: PageFrame, context: Record<string, unknown>, status = 200): void {
  const { layout, pages } = compiled();
  const template = pages.get(page);
  if (!template) throw new Error(`no admin page template ${page}`);
  const session = frame.session;
  const common = {
    ...frame,
    isAdmin: session?.role === 'admin',
    roleLabel: session?.role === 'admin' ? 'administratör' : 'läsbehörighet',
    csrf: frame.csrfToken,
  };
  const body = template({ ...common, ...context });
  const html = layout({ ...common, body, css: assetUrl('admin.css'), js: assetUrl('admin.js') });
  res.status(status).set('Cache-Control', 'no-store').type('html').send(html);
}

/** `tisdag 30 mars 2027 kl. 09.00` */
export function when(instant: Date | DateTime | null, zone: string): string {
  if (!instant) return '';
  return formatDateTime(instant instanceof Date ? instant : instant.toJSDate(), zone);
}

/** A rule's deadline as its last day (see formatDeadline). */
export function deadline(instant: Date, zone: string): string {
  return formatDeadline(instant, zone);
}

export function span(start: Date, end: Date, zone: string): string {
  return formatWhen(start, end, zone);
}

/** The value of an `<input type="datetime-local">`: local wall-clock time without offset. */
export function localInput(instant: Date | DateTime, zone: string): string {
  const value = instant instanceof Date ? DateTime.fromJSDate(instant) : instant;
  return value.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm");
}
