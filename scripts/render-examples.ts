import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { linkSlots, personalParts } from '../src/delivery/notice-messages.js';
import { inviteTemplate } from '../src/messages/calendar-invite.js';
import { composeNotice } from '../src/messages/compose-email.js';
import type { NoticeWindow } from '../src/messages/notice-window.js';
import { INVITE_SLOT, prebuildEmail } from '../src/messages/prebuilt-email.js';
import { renderNotice, type RenderNoticeInput } from '../src/messages/render-notice.js';
import { loadPolicy } from '../src/policy/load-policy.js';
import { asksToAcknowledge } from '../src/rules/acknowledgement.js';

/**
 * Three rendered e-mails under templates/examples/, made by the same functions the delivery
 * worker uses, so a reviewer can open them in a mail program without running anything.
 * Everything that varies per run (date, boundary, DTSTAMP) is fixed: the files change only
 * when a template or the code does, and a test checks they are up to date (`npm run examples`).
 */
export const EXAMPLES_DIR = new URL('../templates/examples/', import.meta.url);

const policy = loadPolicy();
const zone = policy.timezone;
const at = (wallClock: string) => DateTime.fromISO(wallClock, { zone }).toJSDate();
const SENT = at('2027-03-16T08:00');
const sender = { name: 'Driftstopp Örebro kommun', email: 'driftstopp@orebro.se' };
/** Signs the examples' personal links; fixed, so the files do not change from run to run. */
const EXAMPLE_LINK_SECRET = 'example-link-secret-not-used-anywhere-else';
const BASE_URL = 'https://driftstopp.orebro.se';

const base: NoticeWindow = {
  id: '6f1c2b1e-2f4a-4c55-9d0e-0a8f1b2c3d4e',
  title: 'Uppgradering av Tes',
  description: 'Tes uppgraderas till version 24.2. Efter uppgraderingen behöver alla logga in på nytt.',
  systems: ['tes'],
  kind: 'minor',
  start: at('2027-03-30T09:00'),
  end: at('2027-03-30T12:00'),
  revision: 1,
  cancelReason: null,
  shortNoticeReason: null,
};

interface Example {
  file: string;
  to: { name: string; email: string; id: string };
  notice: Omit<RenderNoticeInput, 'policy' | 'publicPageUrl'>;
}

const EXAMPLES: Example[] = [
  {
    file: 'chef-kort-varsel-ett-system.eml',
    to: { name: 'Anna Berg', email: 'anna.berg@orebro.se', id: '3b0c7c2e-8d3f-4a51-9a57-1f2e3d4c5b6a' },
    notice: {
      // A week ahead, where the routine asks for two; CareLock, which no other system depends on.
      window: {
        ...base,
        title: 'Uppgradering av CareLock',
        description: 'Låsservern uppgraderas. Under driftstoppet öppnas låsen med backup-nyckeln.',
        systems: ['carelock'],
        start: at('2027-03-23T09:00'),
        end: at('2027-03-23T12:00'),
        shortNoticeReason: 'Leverantören släpper en säkerhetsrättning som måste installeras snabbt.',
      },
      audience: 'managers',
      kind: 'announcement',
      late: true,
    },
  },
  {
    file: 'eget-val-andrad-tid-tva-system.eml',
    to: { name: 'Omsorg AB', email: 'info@omsorg.example', id: '9e8d7c6b-5a49-4838-a726-150f4e3d2c1b' },
    notice: {
      window: { ...base, systems: ['tes', 'careapp'], start: at('2027-04-06T09:00'), end: at('2027-04-06T12:00'), revision: 2 },
      audience: 'egetval',
      kind: 'update',
      previous: { start: base.start, end: base.end },
    },
  },
  {
    file: 'chef-installt-tre-system.eml',
    to: { name: 'Anna Berg', email: 'anna.berg@orebro.se', id: '3b0c7c2e-8d3f-4a51-9a57-1f2e3d4c5b6a' },
    notice: {
      window: { ...base, systems: ['tes', 'careapp', 'carelock'], revision: 2, cancelReason: 'Leverantören har skjutit upp versionen.' },
      audience: 'managers',
      kind: 'cancellation',
    },
  },
];

/** Each example as the bytes an SMTP server would receive. */
export async function renderExamples(): Promise<{ file: string; eml: string }[]> {
  const out: { file: string; eml: string }[] = [];
  for (const [i, example] of EXAMPLES.entries()) {
    const { window, audience, kind } = example.notice;
    const asks = asksToAcknowledge(policy, audience, kind);
    const content = renderNotice({ policy, publicPageUrl: `${BASE_URL}/public/driftstopp`, links: linkSlots(asks), ...example.notice });
    const method = example.notice.kind === 'cancellation' ? 'CANCEL' : 'REQUEST';
    const invite = inviteTemplate({ window: example.notice.window, policy, method, organizer: sender, audience: example.notice.audience, stamp: SENT });
    const message = {
      ...composeNotice({ content, from: sender, invite: { content: INVITE_SLOT, method, filename: invite.filename } }),
      date: SENT,
      baseBoundary: `example${i + 1}`,
    };
    const address = await prebuildEmail(message, sender.email, (to) => invite.forAttendee(to));
    const personal = personalParts({
      secret: EXAMPLE_LINK_SECRET,
      publicBaseUrl: BASE_URL,
      recipientId: example.to.id,
      madeAt: SENT,
      acknowledge: asks ? { windowId: window.id, revision: window.revision } : undefined,
    });
    out.push({ file: example.file, eml: address(example.to, `<example-${i + 1}@orebro.se>`, personal).raw.toString('utf8') });
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(EXAMPLES_DIR, { recursive: true });
  for (const { file, eml } of await renderExamples()) writeFileSync(new URL(file, EXAMPLES_DIR), eml);
  console.log(`wrote ${EXAMPLES.length} examples to ${fileURLToPath(EXAMPLES_DIR)}`);
}
