import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { TEMPLATES_DIR } from '../messages/render-notice.js';
import { LINK_PROBLEM_PAGES, type LinkProblem } from './link-tokens.js';

/**
 * The pages a personal link opens (acknowledgement, settings, unsubscribe, sign-up
 * confirmation): plain, accessible HTML without scripts, in one layout. Each page's body is
 * a template of its own in `templates/links/<name>.html.hbs`, rendered with strict
 * Handlebars (a missing key fails loudly) and escaped: a title or a name is text, never markup.
 */
export interface LinkPage {
  /** `templates/links/<template>.html.hbs`. */
  template: string;
  /** The page's heading and title. */
  title: string;
  /** What the body template reads; `municipality` is added. */
  context: Record<string, unknown>;
}

export function renderLinkPage(municipality: string, page: LinkPage): string {
  const engine = compiledEngine();
  const content = template(engine, page.template)({ ...page.context, municipality });
  return template(engine, 'layout')({ title: page.title, municipality, content });
}

/** The page for a link that is malformed, changed, expired or made for another page, and its 4xx status. */
export function renderLinkProblem(municipality: string, problem: LinkProblem): { status: number; html: string } {
  const { status, title, text } = LINK_PROBLEM_PAGES[problem];
  return { status, html: renderLinkPage(municipality, { template: 'problem', title, context: { text } }) };
}

let engine: typeof Handlebars | undefined;
const templates = new Map<string, Handlebars.TemplateDelegate>();

/** An instance of its own, so these pages never share partials or helpers with the notices. */
function compiledEngine(): typeof Handlebars {
  engine ??= Handlebars.create();
  return engine;
}

function template(hb: typeof Handlebars, name: string): Handlebars.TemplateDelegate {
  let compiled = templates.get(name);
  if (!compiled) {
    compiled = hb.compile(readFileSync(new URL(`links/${name}.html.hbs`, TEMPLATES_DIR), 'utf8'), { strict: true });
    templates.set(name, compiled);
  }
  return compiled;
}
