import Handlebars from 'handlebars';
import { openLineText, reopeningText, type SupportNow } from '../rules/support-now.js';
import { telHref } from './support-lines.js';
import { formatDateTime } from './swedish-time.js';

export interface SupportNowRenderOptions {
  /** The heading's level where the answer is placed. @defaultValue 2 */
  headingLevel?: 2 | 3 | 4;
  /** The heading's text. @defaultValue `Vem ringer jag nu?` */
  heading?: string;
  /** The heading's id, for a link to it. @defaultValue `vem-ringer-jag-nu` */
  id?: string;
  /** The policy's zone, to say when the answer holds. */
  zone: string;
  /**
   * Say since when the answer holds rather than the instant it was asked for: a page shown
   * all day then keeps its bytes (and its ETag) until the answer changes. @defaultValue false
   */
  sinceItChanged?: boolean;
}

export interface RenderedSupportNow {
  html: string;
  text: string;
}

const READERS: Record<SupportNow['audience'], string> = {
  staff: 'kommunens personal',
  provider: 'externa utförare',
};

const escape = (value: string) => Handlebars.Utils.escapeExpression(value);

/**
 * "Vem ringer jag nu?" as a piece of a page or a message, in HTML and plain text: the lines
 * open at the answer's instant with their closing times, the checklist and the on-call path
 * when no support line is open, and when support opens again. Everything from the policy is
 * escaped; the HTML uses no script and no class a reader must have.
 */
export function renderSupportNow(answer: SupportNow, options: SupportNowRenderOptions): RenderedSupportNow {
  const level = options.headingLevel ?? 2;
  const heading = options.heading ?? 'Vem ringer jag nu?';
  const id = options.id ?? 'vem-ringer-jag-nu';
  const intro = options.sinceItChanged
    ? `Gäller från ${formatDateTime(new Date(answer.since), options.zone)} för ${READERS[answer.audience]}.`
    : `Gäller ${formatDateTime(new Date(answer.at), options.zone)} för ${READERS[answer.audience]}.`;

  const html: string[] = [`<h${level} id="${escape(id)}">${escape(heading)}</h${level}>`, `<p>${escape(intro)}</p>`];
  const text: string[] = [heading, '', intro];

  for (const note of answer.notes) {
    html.push(`<p>${escape(note)}</p>`);
    text.push('', note);
  }
  if (answer.open.length > 0) {
    html.push('<ul>');
    text.push('');
    for (const line of answer.open) {
      const internal = line.internalPhone ? ` (internt ${escape(line.internalPhone)})` : '';
      const howTo = line.howTo ? ` ${escape(line.howTo)}` : '';
      html.push(
        `<li><strong>${escape(line.name)}</strong>: <a class="phone" href="${escape(telHref(line.phone))}">${escape(line.phone)}</a>${internal}, öppet till ${escape(line.untilText)}.${howTo}</li>`,
      );
      text.push(`- ${openLineText(line)}`);
    }
    html.push('</ul>');
  } else {
    html.push('<p>Ingen supportlinje är öppen just nu.</p>');
    text.push('', 'Ingen supportlinje är öppen just nu.');
  }
  if (answer.checklist.length > 0) {
    html.push(`<p>${escape(answer.checklistIntro ?? '')}</p>`, '<ol>', ...answer.checklist.map((step) => `<li>${escape(step)}</li>`), '</ol>');
    text.push('', answer.checklistIntro ?? '', ...answer.checklist.map((step, index) => `${index + 1}. ${step}`));
  }
  if (answer.onCall) {
    html.push(`<p><strong>${escape(answer.onCall.text)}</strong></p>`, `<p>${escape(answer.onCall.notCovered)}</p>`);
    text.push('', answer.onCall.text, answer.onCall.notCovered);
  }
  if (answer.noOnCall) {
    html.push(`<p>${escape(answer.noOnCall)}</p>`);
    text.push('', answer.noOnCall);
  }
  const reopening = answer.closed.map(reopeningText);
  if (reopening.length > 0) {
    html.push(...reopening.map((sentence) => `<p>${escape(sentence)}</p>`));
    text.push('', ...reopening);
  }
  return { html: html.join('\n'), text: text.join('\n') };
}
