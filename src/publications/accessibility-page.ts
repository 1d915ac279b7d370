import type Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { supportFor, telHref } from '../messages/support-lines.js';
import { DIGG, type AccessibilityStatement } from '../policy/accessibility-schema.js';
import type { Policy } from '../policy/policy-schema.js';
import type { PublicationUrls } from './public-listing.js';
import { compilePublicTemplate, PAGE_TITLE } from './public-page.js';

const STATUS_TEXTS: Record<AccessibilityStatement['status'], string> = {
  full: 'Sidan är helt förenlig med lagen om tillgänglighet till digital offentlig service.',
  partial: 'Sidan är delvis förenlig med lagen om tillgänglighet till digital offentlig service, på grund av de brister som beskrivs nedan.',
  none: 'Sidan är inte förenlig med lagen om tillgänglighet till digital offentlig service. De brister vi känner till beskrivs nedan.',
};

/**
 * The accessibility statement (tillgänglighetsredogörelse) of the public page, as DOS-lagen
 * requires: the page's headings and the law's wording, the municipality's statement from the
 * policy. Plain HTML without scripts; everything from the policy is escaped.
 */
export function renderAccessibilityPage(policy: Policy, urls: PublicationUrls): string {
  return compiledPage()({
    municipality: policy.municipality,
    pageTitle: PAGE_TITLE,
    pageUrl: urls.page,
    ...(policy.accessibility ? statementContext(policy, policy.accessibility) : fallbackContext(policy)),
  });
}

function statementContext(policy: Policy, statement: AccessibilityStatement) {
  const date = (iso: string) => DateTime.fromISO(iso, { zone: policy.timezone }).setLocale('sv').toFormat('d LLLL yyyy');
  return {
    statusText: STATUS_TEXTS[statement.status],
    intro: statement.intro,
    knownIssues: statement.knownIssues,
    contact: contactContext(statement.contact.email, statement.contact.phone, statement.contact.responseTime),
    supervisor: statement.supervisor,
    assessment: { method: statement.assessment.method, date: date(statement.assessment.date) },
    updated: date(statement.updated),
  };
}

/**
 * A policy written before the statement existed: the page still has one (the law asks for
 * it), saying only what is known, with the support contacts the public may use.
 */
function fallbackContext(policy: Policy) {
  const support = supportFor(policy, 'public');
  return {
    statusText: `${policy.municipality} har ännu inte bedömt hur väl sidan uppfyller lagen om tillgänglighet till digital offentlig service.`,
    intro: [],
    knownIssues: [],
    contact: contactContext(support.emails[0]?.address ?? null, support.phone, undefined),
    supervisor: DIGG,
    assessment: null,
    updated: null,
  };
}

function contactContext(email: string | null, phone: string | undefined, responseTime: string | undefined) {
  return { email, phone: phone ?? null, phoneHref: phone ? telHref(phone) : null, responseTime: responseTime ?? null };
}

let cache: Handlebars.TemplateDelegate | undefined;

function compiledPage(): Handlebars.TemplateDelegate {
  cache ??= compilePublicTemplate('accessibility-page.html.hbs', ['base-style']);
  return cache;
}
