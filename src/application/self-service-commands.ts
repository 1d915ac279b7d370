import { DateTime } from 'luxon';
import { z } from 'zod';
import { listDeliveriesOfRecipient } from '../delivery/delivery-repository.js';
import { NotFoundError, ValidationError, type FieldError } from '../errors.js';
import { deputyAddressHash, type LinkSubject } from '../links/deputy-links.js';
import { signLink, linkExpiry } from '../links/link-tokens.js';
import { formatDate, formatDateTime } from '../messages/swedish-time.js';
import { systemsText } from '../messages/notice-window.js';
import type { Policy } from '../policy/policy-schema.js';
import {
  findRecipient,
  lockRecipient,
  setDeputy,
  setRecipientSystems,
  setUnsubscribed,
  type StoredDeputy,
} from '../recipients/recipient-repository.js';
import { deputyCovers, deputyRangeErrors, localDate, type DeputyRangeProblem } from '../rules/deputies.js';
import { textProblems, LINE } from '../rules/text-rules.js';
import type { Db } from '../storage/database.js';
import type { RecipientRow } from '../storage/schema.js';
import { listAuditOfRecipient, recordAudit } from '../windows/audit-repository.js';
import { catchUpNewcomers, type RecipientDeps } from './recipient-commands.js';

/**
 * "Mina inställningar" and one-click unsubscribe: what a recipient does for themselves through
 * the personal links in their e-mails. Each change is theirs alone (the link's subject), is
 * written in one transaction with its audit entry, and names them as its actor.
 */
export interface SelfServiceDeps extends RecipientDeps {
  /** The key personal links are signed with: the unsubscribe page links on to the settings page. */
  linkSecret: string;
}

const SELF = 'mottagaren själv: ';
const DEPUTY_SELF = 'ersättaren själv: ';

/** Who made a change, as the recipient is told: who in the administration is theirs to know, not the recipient's. */
function actorText(actor: string): string {
  return actor.startsWith(SELF) ? 'du själv' : actor.startsWith(DEPUTY_SELF) ? 'din ersättare' : 'administratören';
}

/** The audit trail's actor for a change a recipient made themselves. */
export function selfActor(name: string): string {
  return `${SELF}${name}`;
}

/** How a recipient stopped their messages. */
export type UnsubscribeVia = 'settings' | 'one-click' | 'unsubscribe-page';

const ROLE_TEXT: Record<string, string> = { manager: 'Chef', provider: 'Extern utförare' };
const KIND_TEXT: Record<string, string> = {
  announcement: 'Meddelande om planerat driftstopp',
  update: 'Ändrad tid',
  cancellation: 'Inställt driftstopp',
  reminder: 'Påminnelse',
};
const STATUS_TEXT: Record<string, string> = {
  pending: 'Väntar på att skickas',
  sending: 'Skickas',
  sent: 'Skickat',
  failed: 'Kunde inte skickas',
  cancelled: 'Återkallat innan det skickades',
};
const ACTION_TEXT: Record<string, string> = {
  'recipient.created': 'Lades till i registret',
  'recipient.removed': 'Togs bort ur registret',
  'recipient.systems_changed': 'Ändrade system',
  'recipient.deputy_set': 'Angav ersättare',
  'recipient.deputy_removed': 'Tog bort ersättare',
  'recipient.unsubscribed': 'Slutade ta emot meddelanden',
  'recipient.resubscribed': 'Började ta emot meddelanden igen',
  'recipient.changed': 'Namn, enhet, e-post eller system ändrades',
};

export interface MySettings {
  id: string;
  name: string;
  email: string;
  unit: string | null;
  kind: RecipientRow['kind'];
  /** The role in Swedish: Chef, Extern utförare. */
  kindText: string;
  /** Removed from the register by an administrator: nothing can be changed any more. */
  removed: boolean;
  createdAt: string;
  systems: { id: string; name: string; chosen: boolean }[];
  systemsText: string;
  subscribed: boolean;
  unsubscribedAt: string | null;
  deputy: (StoredDeputy & { fromText: string; toText: string; activeToday: boolean }) | null;
  /** Whether this recipient may name a deputy (managers and providers). */
  mayHaveDeputy: boolean;
  /** Every message made for them, newest first. */
  messages: { window: string; windowStart: string; kind: string; at: string; status: string; to: string }[];
  /** Every change of their entry in the register, oldest first. */
  changes: { at: string; what: string; by: string }[];
}

/** Everything driftstopp stores about one recipient, for them alone (GDPR art. 15); null when unknown. */
export async function mySettings(deps: SelfServiceDeps, recipientId: string): Promise<MySettings | null> {
  if (!isUuid(recipientId)) return null;
  const row = await findRecipient(deps.db, recipientId);
  if (!row) return null;
  const zone = deps.policy.timezone;
  const today = localDate(deps.clock().toJSDate(), zone);
  const [deliveries, audit] = await Promise.all([listDeliveriesOfRecipient(deps.db, row.id), listAuditOfRecipient(deps.db, row.id)]);
  const deputy = storedDeputy(row);
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    unit: row.unit,
    kind: row.kind,
    kindText: ROLE_TEXT[row.kind] ?? row.kind,
    removed: row.deleted_at !== null,
    createdAt: formatDateTime(row.created_at, zone),
    systems: Object.entries(deps.policy.systems).map(([id, s]) => ({ id, name: s.displayName, chosen: row.systems.includes(id) })),
    systemsText: systemsText(deps.policy, row.systems),
    subscribed: row.unsubscribed_at === null,
    unsubscribedAt: row.unsubscribed_at ? formatDateTime(row.unsubscribed_at, zone) : null,
    deputy: deputy && {
      ...deputy,
      fromText: localDateText(deputy.from, zone),
      toText: localDateText(deputy.to, zone),
      activeToday: deputyCovers(deputy, today),
    },
    mayHaveDeputy: row.kind === 'manager' || row.kind === 'provider',
    messages: deliveries.map((d) => ({
      window: d.title,
      windowStart: formatDateTime(d.start_at, zone),
      kind: d.catch_up ? `${KIND_TEXT.announcement} (i efterhand)` : d.chase ? 'Påminnelse: bekräfta att enheten är förberedd' : (KIND_TEXT[d.kind] ?? d.kind),
      at: formatDateTime(d.sent_at ?? d.created_at, zone),
      status: STATUS_TEXT[d.status] ?? d.status,
      to: d.deputy_name ? `Din ersättare ${d.deputy_name} (${d.target})` : d.target,
    })),
    changes: audit.map((e) => ({ at: formatDateTime(e.at, zone), what: ACTION_TEXT[e.action] ?? e.action, by: actorText(e.actor) })),
  };
}

/** A settings link for the recipient, made now: the unsubscribe page's way back to "Mina inställningar". */
export function settingsLinkToken(deps: SelfServiceDeps, recipientId: string): string {
  return signLink(deps.linkSecret, { purpose: 'settings', subject: recipientId, expiresAt: linkExpiry('settings', deps.clock().toJSDate()) });
}

const systemsInput = (policy: Policy) =>
  z
    .array(z.string())
    .min(1, 'Välj minst ett system, eller sluta ta emot meddelanden längre ner på sidan.')
    .refine((ids) => ids.every((id) => Object.hasOwn(policy.systems, id)), 'Välj bland systemen på sidan.');

/** Sets the systems the recipient follows; a newcomer to a system is owed the announcements already out. */
export async function changeMySystems(deps: SelfServiceDeps, recipientId: string, systems: readonly string[]): Promise<void> {
  const parsed = systemsInput(deps.policy).safeParse([...new Set(systems)]);
  if (!parsed.success) throw new ValidationError([{ path: 'systems', code: 'invalid', message: parsed.error.issues[0]!.message }]);
  const chosen = Object.keys(deps.policy.systems).filter((id) => parsed.data.includes(id));
  const changed = await changeOwn(deps, recipientId, async (trx, row, now) => {
    if (sameSet(row.systems, chosen)) return false;
    await setRecipientSystems(trx, row.id, chosen);
    await audit(trx, row, now, 'recipient.systems_changed', { from: row.systems, to: chosen });
    return true;
  });
  if (changed) await catchUpNewcomers(deps);
}

export interface DeputyInput {
  name: string;
  email: string;
  from: string;
  to: string;
}

const RANGE_MESSAGES: Record<'from' | 'to', Record<DeputyRangeProblem, string>> = {
  from: {
    invalid_date: 'Ange första dagen som ett datum, till exempel 2027-03-30.',
    in_past: 'Första dagen får inte ha passerat.',
    to_before_from: 'Första dagen får inte vara efter sista dagen.',
    too_far_ahead: 'Första dagen ligger för långt fram.',
  },
  to: {
    invalid_date: 'Ange sista dagen som ett datum, till exempel 2027-04-02.',
    in_past: 'Sista dagen får inte ha passerat.',
    to_before_from: 'Sista dagen får inte vara före första dagen.',
    too_far_ahead: 'Sista dagen får ligga högst ett år fram.',
  },
};

const emailSchema = z.string().trim().toLowerCase().pipe(z.email().max(254));

/**
 * Names a deputy who receives the recipient's messages from `from` to `to` (local dates, both
 * included), replacing any earlier one. Everything wrong is reported at once, per field, and
 * nothing is changed.
 */
export async function setMyDeputy(deps: SelfServiceDeps, recipientId: string, input: DeputyInput): Promise<void> {
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (name === '') errors.push({ path: 'name', code: 'required', message: 'Ange ersättarens namn.' });
  else if (name.length > 200) errors.push({ path: 'name', code: 'too_long', message: 'Namnet får vara högst 200 tecken.' });
  else {
    // "Ersättarens namn innehåller ett otillåtet styrtecken (U+0007).": the summary names the field.
    for (const p of textProblems(name, LINE)) errors.push({ path: 'name', code: p.code, message: `Ersättarens namn ${p.message[0]!.toLowerCase()}${p.message.slice(1)}` });
  }
  const email = emailSchema.safeParse(input.email);
  if (!email.success) errors.push({ path: 'email', code: 'invalid_email', message: 'Ange ersättarens e-postadress, till exempel namn@orebro.se.' });

  await changeOwn(deps, recipientId, async (trx, row, now) => {
    if (email.success && email.data === row.email) {
      errors.push({ path: 'email', code: 'own_address', message: 'Ersättaren ska ha en annan e-postadress än din egen.' });
    }
    const range = { from: input.from.trim(), to: input.to.trim() };
    for (const e of deputyRangeErrors(range, localDate(now, deps.policy.timezone), row.deputy_from)) {
      errors.push({ path: e.field, code: e.code, message: RANGE_MESSAGES[e.field][e.code] });
    }
    if (errors.length > 0) throw new ValidationError(errors, 'Ersättaren kunde inte sparas.');
    const deputy: StoredDeputy = { name, email: email.data!, ...range };
    const previous = storedDeputy(row);
    if (previous && JSON.stringify(previous) === JSON.stringify(deputy)) return false;
    await setDeputy(trx, row.id, deputy);
    await audit(trx, row, now, 'recipient.deputy_set', { deputy, previous });
    return true;
  });
}

/** Removes the recipient's deputy: from now on their messages go to them again. */
export async function removeMyDeputy(deps: SelfServiceDeps, recipientId: string): Promise<void> {
  await changeOwn(deps, recipientId, async (trx, row, now) => {
    const previous = storedDeputy(row);
    if (!previous) return false;
    await setDeputy(trx, row.id, null);
    await audit(trx, row, now, 'recipient.deputy_removed', { previous });
    return true;
  });
}

/**
 * Stops the recipient's messages: no announcement, catch-up or reminder of any window from now
 * on, still the update or cancellation of a window they were told of (src/rules/told.ts).
 * Idempotent: a second time changes nothing and writes no audit entry. Allowed also for a
 * recipient removed from the register (it changes nothing they would receive).
 */
export async function stopMyMessages(deps: SelfServiceDeps, recipientId: string, via: UnsubscribeVia): Promise<void> {
  await changeOwn(
    deps,
    recipientId,
    async (trx, row, now) => {
      if (!(await setUnsubscribed(trx, row.id, now))) return false;
      await audit(trx, row, now, 'recipient.unsubscribed', { via });
      return true;
    },
    { removedToo: true },
  );
}

/** Starts the messages again; windows announced meanwhile are owed to them as catch-ups. */
export async function resumeMyMessages(deps: SelfServiceDeps, recipientId: string): Promise<void> {
  const changed = await changeOwn(deps, recipientId, async (trx, row, now) => {
    if (!(await setUnsubscribed(trx, row.id, null))) return false;
    await audit(trx, row, now, 'recipient.resubscribed', {});
    return true;
  });
  if (changed) await catchUpNewcomers(deps);
}

/** What a deputy's own link shows: whom they stand in for and until when; `current` false once they no longer are. */
export interface DeputyView {
  recipientName: string;
  current: boolean;
  deputy: (StoredDeputy & { fromText: string; toText: string }) | null;
}

/**
 * The page of a deputy's link (src/links/deputy-links.ts): only what concerns the deputy,
 * never the recipient's address, systems or messages. Null when the recipient is unknown.
 */
export async function deputyView(deps: SelfServiceDeps, subject: LinkSubject): Promise<DeputyView | null> {
  if (!isUuid(subject.recipientId)) return null;
  const row = await findRecipient(deps.db, subject.recipientId);
  if (!row) return null;
  const deputy = currentDeputy(row, subject);
  const zone = deps.policy.timezone;
  return {
    recipientName: row.name,
    current: deputy !== null,
    deputy: deputy && { ...deputy, fromText: localDateText(deputy.from, zone), toText: localDateText(deputy.to, zone) },
  };
}

/**
 * The deputy stops standing in: the recipient's messages go to the recipient again. Only the
 * deputy the link was made for can: a link of an earlier deputy changes nothing. Idempotent.
 */
export async function stopBeingDeputy(deps: SelfServiceDeps, subject: LinkSubject, via: UnsubscribeVia): Promise<void> {
  await changeOwn(deps, subject.recipientId, async (trx, row, now) => {
    const previous = currentDeputy(row, subject);
    if (!previous) return false;
    await setDeputy(trx, row.id, null);
    await recordAudit(trx, {
      windowId: null,
      actor: `${DEPUTY_SELF}${previous.name}`,
      action: 'recipient.deputy_removed',
      at: now,
      details: { recipientId: row.id, previous, via },
    });
    return true;
  });
}

/** The recipient's deputy, if it is the one the deputy's link names. */
function currentDeputy(row: RecipientRow, subject: LinkSubject): StoredDeputy | null {
  const deputy = storedDeputy(row);
  return deputy && subject.deputyAddressHash === deputyAddressHash(deputy.email) ? deputy : null;
}

/**
 * Runs one change of the recipient's own entry under a lock of their row, in one transaction
 * with its audit entry. An unknown recipient is a 404; a removed one too, unless `removedToo`.
 */
async function changeOwn(
  deps: SelfServiceDeps,
  recipientId: string,
  change: (trx: Db, row: RecipientRow, now: Date) => Promise<boolean>,
  options: { removedToo?: boolean } = {},
): Promise<boolean> {
  if (!isUuid(recipientId)) throw new NotFoundError('Mottagaren');
  const now = deps.clock().toJSDate();
  return deps.db.transaction().execute(async (trx) => {
    const row = await lockRecipient(trx, recipientId);
    if (!row || (row.deleted_at !== null && !options.removedToo)) throw new NotFoundError('Mottagaren');
    return change(trx, row, now);
  });
}

function audit(db: Db, row: RecipientRow, at: Date, action: string, details: Record<string, unknown>): Promise<void> {
  return recordAudit(db, { windowId: null, actor: selfActor(row.name), action, at, details: { recipientId: row.id, ...details } });
}

function storedDeputy(row: RecipientRow): StoredDeputy | null {
  if (row.deputy_name === null || row.deputy_email === null || row.deputy_from === null || row.deputy_to === null) return null;
  return { name: row.deputy_name, email: row.deputy_email, from: row.deputy_from, to: row.deputy_to };
}

/** `tisdag 30 mars 2027` for a local date YYYY-MM-DD. */
function localDateText(date: string, zone: string): string {
  return formatDate(DateTime.fromISO(date, { zone }).toJSDate(), zone);
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** A link's subject is whatever was signed; only a UUID can name a recipient (and reach a uuid column). */
const isUuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
