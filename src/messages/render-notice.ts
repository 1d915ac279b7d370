import { affectedSystems, affectedSystemsText } from '../rules/dependencies.js';
import { readdirSync, readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { AUDIENCES, type Audience, type Policy } from '../policy/policy-schema.js';
import type { NoticeKind } from '../rules/notice-plan.js';
import { publicUrl } from '../runtime/urls.js';
import { formatDateTime, formatWhen } from './swedish-time.js';
import { swedishList, systemDetails, type NoticeWindow } from './notice-window.js';
import { supportForAudience } from './support-lines.js';

export type { NoticeWindow } from './notice-window.js';
export { noticeWindowFromRow } from './notice-window.js';

export interface RenderNoticeInput {
  policy: Policy;
  window: NoticeWindow;
  audience: Audience;
  kind: NoticeKind;
  /** The time told before an update, so the reader can tell what changed. */
  previous?: { start: Date; end: Date } | undefined;
  /** Where the public page lists the window, linked from the texts when given. */
  publicPageUrl?: string | undefined;
  /** A folder of notice templates laid out as `templates/` (TEMPLATES_DIR). @defaultValue TEMPLATES_DIR, the bundled ones */
  templatesDir?: URL | undefined;
  /**
   * This notice goes out later than the routine asks (the notice's `late`). With the
   * window's short-notice reason, the first paragraph says so and why.
   */
  late?: boolean | undefined;
  /** The recipient's personal links, for an e-mail to a person (see NoticeLinks); none in publications and previews. */
  links?: NoticeLinks | undefined;
  /** A reminder that chases those who have not confirmed that their unit is prepared. */
  chase?: boolean | undefined;
}

/**
 * The personal links of an e-mail to a person, as URLs or as text slots that each
 * recipient's copy fills (`textSlot`): the footer's settings and unsubscribe links, and,
 * where the policy asks the audience to confirm, the acknowledgement link.
 */
export interface NoticeLinks {
  settings: string;
  unsubscribe: string;
  acknowledge: string | null;
}

export interface RenderedNotice {
  /** One line, safe as an e-mail header. */
  subject: string;
  html: string;
  text: string;
}

export const NOTICE_KINDS = ['announcement', 'update', 'cancellation', 'reminder'] as const satisfies readonly NoticeKind[];

export const TEMPLATES_DIR = new URL('../../templates/', import.meta.url);

/** The public page's address under the service's public base URL. */
export function publicPageUrlFor(publicBaseUrl: string): string {
  return publicUrl(publicBaseUrl, '/public/driftstopp');
}

/**
 * Renders one notice: subject, HTML and plain text from `templates/`. Strict templates make
 * a missing variable an error at once (a preview shows it) instead of a gap in a sent text.
 */
export function renderNotice(input: RenderNoticeInput): RenderedNotice {
  const { audience, kind } = input;
  return renderTemplates(input.templatesDir, `${audience}.${kind}`, `${audience}/${kind}`, noticeContext(input));
}

/** The kinds of a disruption's messages: its announcement (registration or catch-up) and its updates. */
export const DISRUPTION_NOTICE_KINDS = ['announcement', 'update'] as const satisfies readonly NoticeKind[];

/**
 * Renders one message from the templates named `name` in subjects.json and `file` (`.html.hbs`,
 * `.txt.hbs`) under the templates folder, inside the layouts: a window's notice or a disruption's.
 */
export function renderTemplates(templatesDir: URL | undefined, name: string, file: string, context: Record<string, unknown>): RenderedNotice {
  const templates = compiledTemplates(templatesDir ?? TEMPLATES_DIR);
  const subject = templates.subjects.get(name);
  const html = templates.html.get(name);
  const text = templates.text.get(name);
  if (!subject || !html || !text) throw new TemplateError(`no templates for ${name}`, file);
  // Handlebars compiles on first use: a syntax error surfaces here, as does a strict-mode gap or a throwing helper.
  const subjectLine = headerLine(run(subject, context, `subjects.json "${name}"`));
  return {
    subject: subjectLine,
    html: run(templates.htmlLayout, { ...context, subject: subjectLine, body: run(html, context, `${file}.html.hbs`) }, 'layout.html.hbs'),
    text: tidyText(run(templates.textLayout, { ...context, subject: subjectLine, body: run(text, context, `${file}.txt.hbs`) }, 'layout.txt.hbs')),
  };
}

/** A notice template that does not compile or render; `template` names its file under the templates folder. */
export class TemplateError extends Error {
  readonly template: string;
  constructor(message: string, template: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateError';
    this.template = template;
  }
}

function run(template: Template, context: object, file: string): string {
  try {
    return template(context);
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    const reason = String((error as Error)?.message ?? error).replace(/\s+/g, ' ');
    throw new TemplateError(`template ${file}: ${reason}`, file, { cause: error });
  }
}

/** Everything a template may use; every key is always present, as strict mode requires. */
function noticeContext(input: RenderNoticeInput) {
  const { policy, window, audience, kind } = input;
  const zone = policy.timezone;
  const shortNoticeReason = window.shortNoticeReason?.trim();
  return {
    ...audienceContext(policy, audience),
    kind,
    title: window.title.trim(),
    description: window.description.trim(),
    ...systemsContext(policy, window.systems),
    extensive: window.kind === 'extensive',
    when: formatWhen(window.start, window.end, zone),
    start: formatDateTime(window.start, zone),
    end: formatDateTime(window.end, zone),
    previousWhen: input.previous ? formatWhen(input.previous.start, input.previous.end, zone) : null,
    cancelReason: window.cancelReason?.trim() || null,
    /** Said first when this notice is late and the administrator gave a reason; never on a cancellation. */
    shortNoticeReason: input.late && kind !== 'cancellation' && shortNoticeReason ? shortNoticeReason : null,
    publicPageUrl: input.publicPageUrl ?? null,
    links: input.links ?? null,
    chase: input.chase === true,
    /** Only the support lines the policy marks for this audience's readers. */
    support: supportForAudience(policy, audience),
  };
}

/** Who a message is for, as every template (a window's or a disruption's) may use it. */
export function audienceContext(policy: Policy, audience: Audience) {
  return {
    audience,
    municipality: policy.municipality,
    audienceName: policy.audiences[audience].displayName,
    /** E-mails say they are sent automatically; publications do not. */
    isEmail: policy.audiences[audience].channel !== 'publication',
  };
}

/** The systems a message is about, with those depending on them, as every template may use them. */
export function systemsContext(policy: Policy, named: readonly string[]) {
  const systems = systemDetails(policy, affectedSystems(policy, named));
  const plural = systems.length > 1;
  return {
    /** `Tes`, `Tes och CareApp`, `Tes (och därmed CareApp)`. */
    systems: affectedSystemsText(policy, named),
    systemList: systems,
    /** Agreement with the number of systems: "Systemet stängs" / "Systemen stängs". */
    plural,
    theSystems: plural ? 'systemen' : 'systemet',
    TheSystems: plural ? 'Systemen' : 'Systemet',
  };
}

/**
 * A subject is a header: any CR, LF or other control character, as a title or a policy
 * text may carry, is collapsed to a space so nothing can start a header of its own.
 */
export function headerLine(text: string): string {
  return text.replace(/[\s\p{Cc}\u2028\u2029]+/gu, ' ').trim();
}

/** Standalone block tags leave runs of blank lines; a plain-text mail reads better without. */
function tidyText(text: string): string {
  return `${text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

type Template = Handlebars.TemplateDelegate;

interface CompiledTemplates {
  subjects: Map<string, Template>;
  html: Map<string, Template>;
  text: Map<string, Template>;
  htmlLayout: Template;
  textLayout: Template;
}

const cache = new Map<string, CompiledTemplates>();

/** Reads and compiles a templates folder once per process; templates are read at start-up, so no reload. */
function compiledTemplates(dir: URL): CompiledTemplates {
  let compiled = cache.get(dir.href);
  if (!compiled) {
    try {
      compiled = compileTemplates(dir);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      const e = error as NodeJS.ErrnoException;
      // A missing file names itself by path; say which one under the folder.
      const file = e.path ? e.path.slice(decodeURIComponent(dir.pathname).length) : 'subjects.json';
      throw new TemplateError(`template ${file}: ${e.code ?? e.message}`, file, { cause: error });
    }
    cache.set(dir.href, compiled);
  }
  return compiled;
}

/**
 * HTML and plain text get a Handlebars instance each: the same partial names (`support`,
 * `window-details`) mean the HTML or the text version, and only HTML is escaped.
 */
function compileTemplates(dir: URL): CompiledTemplates {
  const read = (path: string) => readFileSync(new URL(path, dir), 'utf8');
  const htmlEngine = Handlebars.create();
  const textEngine = Handlebars.create();
  const htmlOptions: CompileOptions = { strict: true };
  const textOptions: CompileOptions = { strict: true, noEscape: true };

  for (const file of readdirSync(new URL('partials/', dir))) {
    const match = /^(.+)\.(html|txt)\.hbs$/.exec(file);
    if (!match) continue;
    const [, partial, format] = match as unknown as [string, string, 'html' | 'txt'];
    const source = read(`partials/${file}`);
    if (format === 'html') htmlEngine.registerPartial(partial, htmlEngine.compile(source, htmlOptions));
    else textEngine.registerPartial(partial, textEngine.compile(source, textOptions));
  }

  const subjectSources = JSON.parse(read('subjects.json')) as Record<string, string>;
  const subjects = new Map<string, Template>();
  const html = new Map<string, Template>();
  const text = new Map<string, Template>();
  for (const audience of AUDIENCES) {
    for (const kind of NOTICE_KINDS) {
      const name = `${audience}.${kind}`;
      const subject = subjectSources[name];
      if (subject === undefined) throw new TemplateError(`template subjects.json: no subject for ${name}`, 'subjects.json');
      subjects.set(name, textEngine.compile(subject, textOptions));
      html.set(name, htmlEngine.compile(read(`${audience}/${kind}.html.hbs`), htmlOptions));
      text.set(name, textEngine.compile(read(`${audience}/${kind}.txt.hbs`), textOptions));
    }
  }
  // A disruption's messages: one text per kind for every audience, which says what differs.
  for (const kind of DISRUPTION_NOTICE_KINDS) {
    const name = `disruption.${kind}`;
    const subject = subjectSources[name];
    if (subject === undefined) throw new TemplateError(`template subjects.json: no subject for ${name}`, 'subjects.json');
    subjects.set(name, textEngine.compile(subject, textOptions));
    html.set(name, htmlEngine.compile(read(`disruptions/${kind}.html.hbs`), htmlOptions));
    text.set(name, textEngine.compile(read(`disruptions/${kind}.txt.hbs`), textOptions));
  }
  return {
    subjects,
    html,
    text,
    htmlLayout: htmlEngine.compile(read('layout.html.hbs'), htmlOptions),
    textLayout: textEngine.compile(read('layout.txt.hbs'), textOptions),
  };
}

type CompileOptions = NonNullable<Parameters<typeof Handlebars.compile>[1]>;
