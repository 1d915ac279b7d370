import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { DateTime } from 'luxon';
import { publishedListing, type PublicationDeps } from '../../application/window-queries.js';
import { renderAtom, renderIcs, renderJson, type FeedInput } from '../../publications/public-feeds.js';
import { publicationUrls, type PublicListing } from '../../publications/public-listing.js';
import { publicPageLastModified, renderPublicPage } from '../../publications/public-page.js';
import {
  renderActiveMaintenances,
  renderComponents,
  renderIncidents,
  renderScheduledMaintenances,
  renderStatus,
  renderSummary,
  renderUnresolvedIncidents,
  renderUpcomingMaintenances,
} from '../../publications/statuspage.js';

export interface PublicRoutesDeps extends PublicationDeps {
  /** Where this service is reached from outside; the page and feeds link to themselves there. */
  publicBaseUrl: string;
  clock: () => DateTime;
  /**
   * How long a rendered answer is reused before the database is asked again. Readers are told
   * `max-age=60`, so a second more costs nobody anything, and a crowd or a row of CMS pollers
   * then costs one render a second. @defaultValue 0 (every request renders)
   */
  cacheMs?: number;
}

/** Proxies and readers may keep a copy for a minute; a notice going out shows within that. */
const CACHE_CONTROL = 'public, max-age=60';

interface Representation {
  contentType: string;
  render: (input: FeedInput) => string;
  /** When this representation last changed, if more than the listing can change it. @defaultValue the listing's */
  lastModified?: (input: FeedInput) => Date | null;
}

const REPRESENTATIONS: Record<string, Representation> = {
  '/public/driftstopp': { contentType: 'text/html; charset=utf-8', render: renderPublicPage, lastModified: publicPageLastModified },
  '/public/driftstopp.ics': { contentType: 'text/calendar; charset=utf-8', render: renderIcs },
  '/public/driftstopp.atom': { contentType: 'application/atom+xml; charset=utf-8', render: renderAtom },
  '/public/driftstopp.json': { contentType: 'application/json; charset=utf-8', render: renderJson },
  ...statuspage({
    'summary.json': renderSummary,
    'status.json': renderStatus,
    'components.json': renderComponents,
    'incidents.json': renderIncidents,
    'incidents/unresolved.json': renderUnresolvedIncidents,
    'scheduled-maintenances.json': renderScheduledMaintenances,
    'scheduled-maintenances/upcoming.json': renderUpcomingMaintenances,
    'scheduled-maintenances/active.json': renderActiveMaintenances,
  }),
};

/** Statuspage's public API v2 paths under `/public/api/v2/`, as a client written for a Statuspage page asks for them. */
function statuspage(renderers: Record<string, Representation['render']>): Record<string, Representation> {
  return Object.fromEntries(
    Object.entries(renderers).map(([path, render]) => [`/public/api/v2/${path}`, { contentType: 'application/json; charset=utf-8', render }]),
  );
}

/**
 * The public page, its three feeds and the Statuspage-compatible status, without a token:
 * windows whose public notice has gone out, and disruptions. Each answer carries a strong
 * ETag of its bytes and the instant its content last changed, so readers polling every
 * minute mostly get an empty 304. All of them are made from one listing, read from the
 * database at most once per `cacheMs`.
 */
export function publicRoutes(deps: PublicRoutesDeps): Router {
  const router = Router();
  const urls = publicationUrls(deps.publicBaseUrl);
  let latest: { at: number; listing: Promise<PublicListing> } | undefined;
  const listingAt = (now: Date): Promise<PublicListing> => {
    const age = latest ? now.getTime() - latest.at : Infinity;
    if (!latest || !(age >= 0 && age < (deps.cacheMs ?? 0))) {
      // Concurrent requests share the one read in progress.
      const listing = publishedListing(deps, now);
      latest = { at: now.getTime(), listing };
      listing.catch(() => (latest = undefined));
    }
    return latest.listing;
  };

  for (const [path, representation] of Object.entries(REPRESENTATIONS)) {
    let last: { listing: PublicListing; rendered: Rendered } | undefined;
    router.get(path, async (req, res) => {
      const listing = await listingAt(deps.clock().toJSDate());
      if (last?.listing !== listing) {
        const input = { listing, policy: deps.policy, urls };
        const body = representation.render(input);
        const lastModified = representation.lastModified?.(input) ?? listing.lastModified;
        last = { listing, rendered: { body, etag: strongEtag(body), lastModified, contentType: representation.contentType } };
      }
      sendCached(req, res, last.rendered);
    });
  }
  return router;
}

export interface Rendered {
  body: string;
  etag: string;
  contentType: string;
  lastModified: Date | null;
}

export function sendCached(req: Request, res: Response, { body, etag, contentType, lastModified }: Rendered): void {
  res.set('Cache-Control', CACHE_CONTROL);
  res.set('ETag', etag);
  if (lastModified) res.set('Last-Modified', lastModified.toUTCString());
  res.set('X-Content-Type-Options', 'nosniff');
  // Public data without credentials: an intranet or CMS page may read the feeds from its own origin.
  res.set('Access-Control-Allow-Origin', '*');
  if (contentType.startsWith('text/html')) {
    // The page runs no script at all; say so, so that nothing injected could run either. Its one form posts back here.
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'");
    // The intranet and orebro.se may embed the page in an iframe: public content, nothing to click-jack.
    res.removeHeader('X-Frame-Options');
  }
  if (notModified(req.headers, etag, lastModified)) {
    res.status(304).end();
    return;
  }
  res.status(200).type(contentType).send(body);
}

/** `"<sha-256 of the body>"`: the same bytes, the same tag, on every replica. */
export function strongEtag(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * RFC 9110 §13.2.2: If-None-Match decides when present (compared weakly, as the RFC says for
 * it); only without it does If-Modified-Since count. HTTP dates have whole seconds, so the
 * change instant is compared at that precision.
 */
export function notModified(
  headers: { 'if-none-match'?: string | undefined; 'if-modified-since'?: string | undefined },
  etag: string,
  lastModified: Date | null,
): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
    return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
  }
  const ifModifiedSince = headers['if-modified-since'];
  if (ifModifiedSince === undefined || lastModified === null) return false;
  const since = Date.parse(ifModifiedSince);
  if (Number.isNaN(since)) return false;
  return Math.floor(lastModified.getTime() / 1000) <= Math.floor(since / 1000);
}
