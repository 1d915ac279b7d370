import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { TEMPLATES_DIR } from '../messages/render-notice.js';
import { allSystemsText } from '../messages/notice-window.js';
import { formatDateTime } from '../messages/swedish-time.js';
import { supportFor } from '../messages/support-lines.js';
import { renderSupportNow } from '../messages/support-now-render.js';
import { supportNow, type SupportNow } from '../rules/support-now.js';
import type { Policy } from '../policy/policy-schema.js';
import { windowAnchor, type PublicItem, type PublicListing, type PublicationUrls } from './public-listing.js';

export interface PublicPageInput {
  listing: PublicListing;
  policy: Policy;
  urls: PublicationUrls;
}

export const PAGE_TITLE = 'Planerade driftstopp i hemtjänstens IT-system';

/**
 * The public page: plain, accessible HTML without scripts. Everything from a window or the
 * policy goes through Handlebars' escaping, so a title is text on the page, never markup.
 */
export function renderPublicPage(input: PublicPageInput): string {
  return compiledPage()(pageContext(input));
}

/**
 * Whom the page's "Vem ringer jag nu?" answers for. The page is read outside the municipality,
 * and texts for the public carry no internal-only lines, so it gives the answer for external
 * providers: the lines marked for them, the checklist when none of their support lines is open,
 * and no on-call path (staff ask `GET /public/support/now?for=staff`, or their own channels).
 */
const PAGE_READER = 'provider';

function pageSupportNow({ listing, policy }: PublicPageInput): SupportNow {
  return supportNow(policy, listing.at, PAGE_READER);
}

/**
 * When what the page shows last changed: the listing's last change, or the moment its
 * support answer began (a line opened or closed), whichever is later. The feeds show no
 * support answer and keep the listing's own.
 */
export function publicPageLastModified(input: PublicPageInput): Date | null {
  const since = new Date(pageSupportNow(input).since);
  const listed = input.listing.lastModified;
  return listed && listed > since ? listed : since;
}

/** Every key a template reads is always present: strict templates fail on a missing one. */
function pageContext(input: PublicPageInput) {
  const { listing, policy, urls } = input;
  return {
    pageTitle: PAGE_TITLE,
    municipality: policy.municipality,
    /** `Tes, CareApp och CareLock`: every system of the policy. */
    systemsText: allSystemsText(policy),
    /** The public lead from the policy; a short-notice window can appear later, hence "normally". */
    leadDays: policy.audiences.public.leadDays,
    urls,
    items: listing.items.map((item) => itemContext(item, policy)),
    /** Only the lines the policy marks for the public: no internal number or staff-only hours. */
    support: supportFor(policy, 'public'),
    /** Rendered and escaped by renderSupportNow; the template inserts it as it is. */
    supportNowHtml: renderSupportNow(pageSupportNow(input), { zone: policy.timezone, id: 'vem-ringer-jag-nu' }).html,
  };
}

function itemContext(item: PublicItem, policy: Policy) {
  return {
    anchor: windowAnchor(item.window.id),
    title: item.window.title.trim(),
    description: item.window.description.trim(),
    status: item.status,
    statusLabel: item.statusLabel,
    cancelled: item.status === 'cancelled',
    when: item.when,
    previousWhen: item.previousWhen,
    cancelReason: item.cancelReason,
    systems: item.systems,
    theSystems: item.theSystems,
    advice: item.advice,
    published: formatDateTime(item.publishedAt, policy.timezone),
    publishedIso: item.publishedAt.toISOString(),
  };
}

let cache: Handlebars.TemplateDelegate | undefined;

function compiledPage(): Handlebars.TemplateDelegate {
  cache ??= compilePublicTemplate('public-page.html.hbs', ['window', 'support', 'feeds', 'base-style']);
  return cache;
}

/**
 * Compiles a public page's template with its partials (`public-<name>`, from
 * `public-page/<name>.html.hbs`) in a Handlebars instance of its own, so the pages' partials
 * never mix with the notice templates' partials of the same names. Strict: a missing key fails.
 */
export function compilePublicTemplate(file: string, partials: readonly string[]): Handlebars.TemplateDelegate {
  const engine = Handlebars.create();
  const read = (path: string) => readFileSync(new URL(path, TEMPLATES_DIR), 'utf8');
  const options = { strict: true };
  for (const partial of partials) {
    engine.registerPartial(`public-${partial}`, engine.compile(read(`public-page/${partial}.html.hbs`), options));
  }
  return engine.compile(read(file), options);
}
