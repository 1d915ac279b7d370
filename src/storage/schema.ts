import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Audience, PlanStep } from '../policy/policy-schema.js';
import type { DisruptionStatus } from '../rules/disruption-status.js';
import type { NoticeKind, WindowKind } from '../rules/notice-plan.js';

/** Timestamps: Date in, Date out (pg and PGlite both parse timestamptz to Date). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type WindowStatus = 'scheduled' | 'in_progress' | 'completed' | 'cancelled';
export type NoticeStatus = 'pending' | 'sent' | 'failed' | 'cancelled';
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';
export type RecipientKind = 'manager' | 'provider' | 'subscriber';

export interface WindowTable {
  id: string;
  title: string;
  description: string;
  systems: string[];
  kind: WindowKind;
  start_at: Timestamp;
  end_at: Timestamp;
  status: WindowStatus;
  revision: number;
  plan: ColumnType<PlanStep[] | null, string | null, string | null>;
  short_notice_reason: string | null;
  cancel_reason: string | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The series the window is an occurrence of, if any. */
  series_id: Generated<string | null>;
  /** Why it was accepted although it overlaps another window. */
  overlap_reason: Generated<string | null>;
  /** Why it was accepted although it starts in a blackout period. */
  blackout_reason: Generated<string | null>;
}

/** A recurring series; its occurrences are windows with its id. */
export interface SeriesTable {
  id: string;
  title: string;
  description: string;
  systems: string[];
  kind: WindowKind;
  /** The RFC 5545 RRULE as given, without DTSTART. */
  rrule: string;
  /** Local date YYYY-MM-DD of the first occurrence, in the policy's zone. */
  dtstart: string;
  /** Local clock times HH:MM. */
  start_time: string;
  end_time: string;
  until: string | null;
  count: number | null;
  created_by: string;
  created_at: Timestamp;
}

/** An unplanned outage, broadcast at once; its status is that of its latest update. */
export interface DisruptionTable {
  id: string;
  title: string;
  /** What users notice. */
  description: string;
  systems: string[];
  status: DisruptionStatus;
  /** The sequence number of the latest update (1: only the registration). */
  revision: number;
  created_by: string;
  /** When it was registered. */
  created_at: Timestamp;
  updated_at: Timestamp;
  resolved_at: Timestamp | null;
}

/** The registration (sequence 1) and each status change of a disruption, in order. */
export interface DisruptionUpdateTable {
  id: string;
  disruption_id: string;
  sequence: number;
  status: DisruptionStatus;
  message: string;
  created_by: string;
  at: Timestamp;
}

/** A message to an audience about exactly one window or one disruption. */
export interface NoticeTable {
  id: string;
  /** The window told of, or null for a disruption's notice. */
  window_id: string | null;
  /** The disruption told of, or null for a window's notice. */
  disruption_id: Generated<string | null>;
  /** The window revision this notice was planned for; for a disruption, the update's sequence number. */
  revision: number;
  audience: Audience;
  kind: NoticeKind;
  lead_days: number | null;
  previous_start_at: Timestamp | null;
  previous_end_at: Timestamp | null;
  due_at: Timestamp;
  required_by: Timestamp;
  status: NoticeStatus;
  late: boolean;
  /** An announcement to those who joined the audience after its announcement went out. */
  catch_up: Generated<boolean>;
  /** A reminder only to those told who have not confirmed that their unit is prepared (acknowledgement). */
  chase: Generated<boolean>;
  /** Set when the notice has been fanned out into deliveries. */
  dispatched_at: Timestamp | null;
  sent_at: Timestamp | null;
  error: string | null;
  created_at: Timestamp;
}

export interface AuditEventTable {
  id: Generated<string>;
  window_id: string | null;
  disruption_id: Generated<string | null>;
  actor: string;
  action: string;
  at: Timestamp;
  details: ColumnType<Record<string, unknown>, string, string>;
}

export interface IdempotencyKeyTable {
  key: string;
  actor: string;
  request_hash: string;
  window_id: string | null;
  disruption_id: Generated<string | null>;
  created_at: Timestamp;
}

export interface RecipientTable {
  id: string;
  kind: RecipientKind;
  name: string;
  /** Lower-cased. */
  email: string;
  systems: string[];
  unit: string | null;
  created_at: Timestamp;
  deleted_at: Timestamp | null;
  /** When they stopped receiving messages (self-service); null while they receive them. */
  unsubscribed_at: Generated<Date | null>;
  /** The deputy who receives their messages from `deputy_from` to `deputy_to`; all four or none. */
  deputy_name: Generated<string | null>;
  /** Lower-cased. */
  deputy_email: Generated<string | null>;
  /** First and last day (inclusive) of the deputy's range: local dates YYYY-MM-DD in the policy's zone. */
  deputy_from: Generated<string | null>;
  deputy_to: Generated<string | null>;
}

export interface DeliveryTable {
  id: string;
  notice_id: string;
  /** The recipient's id, or "webhook" for the audience's CMS endpoint. */
  recipient_key: string;
  recipient_id: string | null;
  channel: 'email' | 'webhook';
  /** E-mail address or webhook URL, as it was when the notice went out. */
  target: string;
  /** Deliveries are sent in batches of one job each. */
  batch: number;
  status: DeliveryStatus;
  attempts: number;
  /** When a worker claimed it for sending, or last renewed the claim; an old claim is abandoned. */
  claimed_at: Timestamp | null;
  /** Who holds the claim: one batch run of one worker, renewing it while it runs. */
  claimed_by: string | null;
  /** When it first failed; cleared never, so a long-failing delivery shows as such. */
  failing_since: Timestamp | null;
  last_error: string | null;
  message_id: string | null;
  sent_at: Timestamp | null;
  created_at: Timestamp;
  /** The deputy the message went to instead of the recipient (`target` is then the deputy's address); null: to the recipient. */
  deputy_name: Generated<string | null>;
}

/** A public sign-up waiting for (or past) its confirmation; one row per address. */
export interface SubscriptionRequestTable {
  /** The subject of the confirmation link. */
  id: string;
  /** Lower-cased. */
  email: string;
  systems: string[];
  created_at: Timestamp;
  /** When the latest confirmation e-mail was asked for; the per-address limit counts from here. */
  mailed_at: Timestamp;
  mail_status: 'pending' | 'sending' | 'sent' | 'failed';
  mail_attempts: Generated<number>;
  mail_claimed_at: Timestamp | null;
  mail_error: string | null;
  mail_sent_at: Timestamp | null;
  /** When the link of the latest e-mail was followed; null until then. */
  confirmed_at: Timestamp | null;
}

/** A recipient's confirmation that their unit is prepared for one revision of a window. */
export interface AcknowledgementTable {
  window_id: string;
  recipient_id: string;
  revision: number;
  acknowledged_at: Timestamp;
}

/** Admin page sessions signed out before they expired; kept until they would have. */
export interface RevokedSessionTable {
  id: string;
  expires_at: Date;
}

export interface Database {
  windows: WindowTable;
  series: SeriesTable;
  disruptions: DisruptionTable;
  disruption_updates: DisruptionUpdateTable;
  notices: NoticeTable;
  audit_events: AuditEventTable;
  idempotency_keys: IdempotencyKeyTable;
  recipients: RecipientTable;
  deliveries: DeliveryTable;
  revoked_sessions: RevokedSessionTable;
  subscription_requests: SubscriptionRequestTable;
  acknowledgements: AcknowledgementTable;
}

export type WindowRow = Selectable<WindowTable>;
export type NewWindowRow = Insertable<WindowTable>;
export type WindowUpdate = Updateable<WindowTable>;
export type SeriesRow = Selectable<SeriesTable>;
export type NewSeriesRow = Insertable<SeriesTable>;
export type DisruptionRow = Selectable<DisruptionTable>;
export type NewDisruptionRow = Insertable<DisruptionTable>;
export type DisruptionUpdateRow = Selectable<DisruptionUpdateTable>;
export type NewDisruptionUpdateRow = Insertable<DisruptionUpdateTable>;
export type NoticeRow = Selectable<NoticeTable>;
export type NewNoticeRow = Insertable<NoticeTable>;
export type NewAuditEventRow = Insertable<AuditEventTable>;
export type RecipientRow = Selectable<RecipientTable>;
export type DeliveryRow = Selectable<DeliveryTable>;
export type SubscriptionRequestRow = Selectable<SubscriptionRequestTable>;
export type AcknowledgementRow = Selectable<AcknowledgementTable>;
