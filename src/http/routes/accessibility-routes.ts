import { Router } from 'express';
import { renderAccessibilityPage } from '../../publications/accessibility-page.js';
import { ACCESSIBILITY_PATH, publicationUrls } from '../../publications/public-listing.js';
import type { Policy } from '../../policy/policy-schema.js';
import { sendCached, strongEtag, type Rendered } from './public-routes.js';

export interface AccessibilityRoutesDeps {
  policy: Policy;
  publicBaseUrl: string;
}

/**
 * The public page's accessibility statement (DOS-lagen), without a token. It changes only
 * with the policy, that is with a restart, so it is rendered once and served like the page.
 */
export function accessibilityRoutes(deps: AccessibilityRoutesDeps): Router {
  const router = Router();
  const body = renderAccessibilityPage(deps.policy, publicationUrls(deps.publicBaseUrl));
  const rendered: Rendered = { body, etag: strongEtag(body), contentType: 'text/html; charset=utf-8', lastModified: null };
  router.get(ACCESSIBILITY_PATH, (req, res) => sendCached(req, res, rendered));
  return router;
}
