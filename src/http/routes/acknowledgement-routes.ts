import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { acknowledgementPage, confirmAcknowledgement, type AcknowledgementPage } from '../../application/acknowledgement-commands.js';
import { windowAcknowledgements } from '../../application/acknowledgement-queries.js';
import type { ApplicationDeps } from '../../application/app-deps.js';
import { renderLinkPage } from '../../links/link-pages.js';
import { formatDateTime, formatWhen } from '../../messages/swedish-time.js';
import { affectedSystemsText } from '../../rules/dependencies.js';
import { formatInstant } from '../../windows/window-view.js';
import { idParams } from '../api-schemas.js';
import { linkClaims, requireLink, type LinkCheckDeps } from '../link-check.js';
import { parseInput } from '../validate.js';

export const acknowledgementSchema = z.object({
  recipientId: z.uuid(),
  name: z.string(),
  unit: z.string().nullable(),
  email: z.string(),
  revision: z.int(),
  acknowledgedAt: z.string().nullable().describe('null until the recipient has confirmed this revision'),
});
export const acknowledgementListSchema = z.object({ items: z.array(acknowledgementSchema) });

/** `GET /api/windows/:id/acknowledgements` (contract): who of those asked has confirmed the window's current time. */
export function acknowledgementApiRoutes(deps: Pick<ApplicationDeps, 'db' | 'rules'>): Router {
  const router = Router();
  router.get('/windows/:id/acknowledgements', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const items = await windowAcknowledgements(deps, id);
    res.json({
      items: items.map(({ recipient, revision, acknowledgedAt }) => ({
        recipientId: recipient.id,
        name: recipient.name,
        unit: recipient.unit,
        email: recipient.email,
        revision,
        acknowledgedAt: formatInstant(acknowledgedAt, deps.rules.policy.timezone),
      })),
    });
  });
  return router;
}

const confirmForm = z.object({ revision: z.coerce.number().int().min(0) });

/**
 * The page of the "Bekräfta att enheten är förberedd" link: no sign-in, the signed token is
 * the proof. GET only shows (mail scanners open links); the button POSTs.
 */
export function acknowledgementLinkRoutes(deps: Pick<ApplicationDeps, 'db' | 'clock' | 'rules' | 'linkSecret'>): Router {
  const router = Router();
  const check: LinkCheckDeps = { linkSecret: deps.linkSecret, clock: deps.clock, municipality: deps.rules.policy.municipality };
  const path = '/links/acknowledge/:token';
  router.get(path, requireLink(check, 'acknowledge'), async (_req, res) => {
    const page = await acknowledgementPage(deps, linkClaims(res));
    send(res, deps, page, 'get');
  });
  router.post(path, requireLink(check, 'acknowledge'), express.urlencoded({ extended: false, limit: '2kb' }), async (req, res) => {
    const form = confirmForm.safeParse(req.body ?? {});
    if (!form.success) {
      res.status(400).type('text/html; charset=utf-8').send(
        renderLinkPage(deps.rules.policy.municipality, {
          template: 'problem',
          title: 'Formuläret är inte helt',
          context: { text: 'Fältet revision saknas eller är inget heltal. Öppna länken i e-postmeddelandet igen och klicka på knappen.' },
        }),
      );
      return;
    }
    const page = await confirmAcknowledgement(deps, linkClaims(res), form.data.revision);
    send(res, deps, page, 'post');
  });
  return router;
}

/** The page of each state, with its status: a GET that only informs is 200, a POST that could not confirm is 409. */
function send(res: Response, deps: Pick<ApplicationDeps, 'rules'>, page: AcknowledgementPage, method: 'get' | 'post'): void {
  const { policy } = deps.rules;
  const zone = policy.timezone;
  const municipality = policy.municipality;
  const html = (title: string, context: Record<string, unknown>) => renderLinkPage(municipality, { template: 'acknowledge', title, context: { notice: null, window: null, askToConfirm: false, ...context } });
  if (page.state === 'gone') {
    res.status(404).type('text/html; charset=utf-8').send(html('Driftstoppet finns inte', { notice: { kind: 'problem', role: 'alert', text: 'Driftstoppet eller mottagaren finns inte längre i driftstopp. Du behöver inte göra något.' } }));
    return;
  }
  const { window, recipient } = page;
  const facts = {
    window: { title: window.title, systems: affectedSystemsText(policy, window.systems), when: formatWhen(window.start_at, window.end_at, zone) },
    recipient: recipient.unit ? `${recipient.name}, ${recipient.unit}` : recipient.name,
  };
  const ask = { askToConfirm: true, checklist: policy.acknowledgement.checklist, revision: window.revision };
  const status = method === 'post' && page.state !== 'confirmed' ? 409 : 200;
  let body: string;
  switch (page.state) {
    case 'cancelled':
      body = html('Driftstoppet är inställt', { ...facts, notice: { kind: 'note', role: 'status', text: `Driftstoppet är inställt${window.cancel_reason ? `: ${window.cancel_reason}` : ''}. Du behöver inte förbereda något.` } });
      break;
    case 'ended':
      body = html('Driftstoppet är över', { ...facts, notice: { kind: 'note', role: 'status', text: 'Driftstoppet är redan över. Det finns inget kvar att bekräfta.' } });
      break;
    case 'confirmed':
      body = html(page.justNow ? 'Tack, enheten är förberedd' : 'Redan bekräftat', {
        ...facts,
        notice: {
          kind: 'done',
          role: 'status',
          text: page.justNow
            ? `Du har bekräftat att enheten är förberedd för driftstoppet (${formatDateTime(page.acknowledgedAt, zone)}). Ändras tiden får du ett nytt meddelande och bekräftar igen.`
            : `Redan bekräftat ${formatDateTime(page.acknowledgedAt, zone)}. Du behöver inte göra något mer.`,
        },
      });
      break;
    case 'moved':
      body = html('Tiden har ändrats', {
        ...facts,
        ...ask,
        buttonText: 'Bekräfta att enheten är förberedd för den nya tiden',
        notice: {
          kind: 'problem',
          role: 'alert',
          text: `Tiden för driftstoppet har ändrats sedan länken skickades. Den nya tiden är ${facts.window.when}. Bekräfta igen om enheten är förberedd för den nya tiden.`,
        },
      });
      break;
    case 'open':
      body = html('Bekräfta att enheten är förberedd', { ...facts, ...ask, buttonText: 'Bekräfta att enheten är förberedd' });
      break;
  }
  res.status(status).type('text/html; charset=utf-8').send(body);
}
