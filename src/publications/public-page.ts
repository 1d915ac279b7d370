import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { TEMPLATES_DIR } from '../messages/render-notice.js';
import { allSystemsText } from '../messages/notice-window.js';
import { formatDateTime } from '../messages/swedish-time.js';
import { supportFor } from '../messages/support-lines.js';
import { renderSupportNow } from '../messages/support-now-render.js';
import { supportNow, type SupportNow } from '../rules/support-now.js';
import type { Policy } from '../policy/policy-schema.js';
import { HISTORY_DAYS } from './public-windows.js';
import { disruptionAnchor, windowAnchor, type DisruptionItem, type PublicItem, type PublicListing, type PublicationUrls } from './public-listing.js';

export interface PublicPageInput {
  listing: PublicListing;
  policy: Policy;
  urls: PublicationUrls;
}

export const PAGE_TITLE = 'Driftinformation för hemtjänstens IT-system';

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
    /** The present first: each system's state, then what is wrong now, then what is planned, then what was. */
    systems: listing.systems,
    // When it last changed, not the request's instant: the same state gives the same bytes (and ETag).
    changed: listing.lastModified ? formatDateTime(listing.lastModified, policy.timezone) : null,
    changedIso: listing.lastModified?.toISOString() ?? null,
    currentDisruptions: listing.disruptions.filter((d) => d.current).map(disruptionContext),
    // A window under way is the present: it comes before those ahead (the feeds keep newest information first).
    items: [...listing.items.filter((item) => item.status === 'ongoing'), ...listing.items.filter((item) => item.status !== 'ongoing')].map((item) =>
      itemContext(item, policy),
    ),
    historyDays: HISTORY_DAYS,
    history: historyContext(listing),
    /** Only the lines the policy marks for the public: no internal number or staff-only hours. */
    support: supportFor(policy, 'public'),
    /** Rendered and escaped by renderSupportNow; the template inserts it as it is. */
    supportNowHtml: renderSupportNow(pageSupportNow(input), { zone: policy.timezone, id: 'vem-ringer-jag-nu', sinceItChanged: true }).html,
    signup: signUpContext(policy, EMPTY_SIGN_UP),
  };
}

/** The sign-up form as filled in, and what was wrong with it, by field (`email`, `systems`). */
export interface SignUpFormState {
  email: string;
  systems: readonly string[];
  errors: readonly { field: 'email' | 'systems'; message: string }[];
}

const EMPTY_SIGN_UP: SignUpFormState = { email: '', systems: [], errors: [] };

/**
 * The form's action is relative: from `/public/driftstopp` and from `/public/subscriptions`
 * alike it is `/public/subscriptions`, also behind a proxy that serves the service under a path.
 */
function signUpContext(policy: Policy, state: SignUpFormState) {
  const errorOf = (field: string) => state.errors.find((e) => e.field === field)?.message ?? null;
  return {
    action: 'subscriptions',
    email: state.email,
    systems: Object.entries(policy.systems).map(([id, s]) => ({ id, name: s.displayName, checked: state.systems.includes(id) })),
    errors: state.errors,
    emailError: errorOf('email'),
    systemsError: errorOf('systems'),
  };
}

/** The sign-up form alone, as the public page has it, for the page that answers a form with errors. */
export function renderSignUpForm(policy: Policy, state: SignUpFormState): string {
  signUpForm ??= compilePublicTemplate('public-page/signup.html.hbs', []);
  return signUpForm({ signup: signUpContext(policy, state) });
}

let signUpForm: Handlebars.TemplateDelegate | undefined;

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

function disruptionContext(item: DisruptionItem) {
  return {
    anchor: disruptionAnchor(item.disruption.id),
    title: item.disruption.title.trim(),
    description: item.disruption.description.trim(),
    statusLabel: item.statusLabel,
    systemNames: item.systemNames,
    since: item.since,
    resolved: item.resolved,
    updates: updatesContext(item),
  };
}

function updatesContext(item: DisruptionItem) {
  return item.updates.map((update) => ({ statusLabel: update.statusLabel, when: update.when, iso: update.at.toISOString(), message: update.message }));
}

/** Windows that ended and disruptions resolved within the history period, latest start first. */
function historyContext(listing: PublicListing) {
  const windows = listing.history.map((item) => ({
    start: item.window.start_at.getTime(),
    anchor: windowAnchor(item.window.id),
    kindLabel: 'Planerat driftstopp',
    systemNames: item.systemNames,
    title: item.window.title.trim(),
    when: item.when,
    statusLabel: item.status === 'cancelled' ? `Inställt${item.cancelReason ? `: ${item.cancelReason}` : ''}` : item.statusLabel,
    updates: [],
  }));
  const disruptions = listing.disruptions
    .filter((d) => !d.current)
    .map((item) => ({
      start: item.disruption.createdAt.getTime(),
      anchor: disruptionAnchor(item.disruption.id),
      kindLabel: 'Driftstörning',
      systemNames: item.systemNames,
      title: item.disruption.title.trim(),
      when: item.when,
      statusLabel: item.statusLabel,
      updates: updatesContext(item),
    }));
  return [...windows, ...disruptions].sort((a, b) => b.start - a.start);
}

let cache: Handlebars.TemplateDelegate | undefined;

function compiledPage(): Handlebars.TemplateDelegate {
  cache ??= compilePublicTemplate('public-page.html.hbs', ['window', 'disruption', 'history', 'support', 'feeds', 'signup', 'base-style']);
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
