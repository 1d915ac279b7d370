import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { OutgoingEmail } from '../messages/prebuilt-email.js';

export interface Mailer {
  /** Resolves when the server (or the outbox folder) has accepted the message. */
  send(message: OutgoingEmail): Promise<void>;
  close(): void;
  /** Resolves when the SMTP server answers and accepts the login (nodemailer's verify); the outbox always does. */
  verify(): Promise<void>;
  describe: string;
  /** Sends worth having in flight at once: enough to keep every connection busy, few enough that none waits long. */
  capacity: number;
}

export interface MailerOptions {
  /**
   * SMTP server; without it every message is written as an .eml file to `outboxDir`.
   * `smtp://` (STARTTLS when the server offers it) or `smtps://` (TLS from the start);
   * a user and password in it are URL-encoded, and nodemailer decodes them.
   */
  smtpUrl?: string | undefined;
  /** PEM certificates trusted for the SMTP server besides the system's (a relay's self-signed one). @defaultValue none */
  tlsCa?: string | undefined;
  outboxDir: string;
  /** Simultaneous SMTP connections. @defaultValue 5 */
  maxConnections?: number;
}

/** Nodemailer with a pooled SMTP transport, or an outbox folder of .eml files for trying it out. */
export function createMailer(options: MailerOptions): Mailer {
  if (options.smtpUrl) {
    const maxConnections = options.maxConnections ?? 5;
    const transport = nodemailer.createTransport({
      url: options.smtpUrl,
      pool: true,
      maxConnections,
      maxMessages: 500,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      // A live send never takes this long, so a claim older than it is abandoned (see delivery-repository).
      socketTimeout: 30_000,
      // Added to what the URL says; the server's certificate and name are still checked.
      ...(options.tlsCa ? { tls: { ca: options.tlsCa } } : {}),
    } as Parameters<typeof nodemailer.createTransport>[0]);
    return {
      describe: `SMTP ${new URL(options.smtpUrl).host}`,
      capacity: 2 * maxConnections,
      send: async (message) => {
        // The bytes are final: nodemailer only speaks SMTP (told the Message-ID, it makes none up).
        await transport.sendMail({ envelope: message.envelope, raw: message.raw, messageId: message.messageId });
      },
      verify: async () => {
        await transport.verify();
      },
      close: () => transport.close(),
    };
  }
  mkdirSync(options.outboxDir, { recursive: true });
  return {
    describe: `.eml files in ${options.outboxDir}`,
    capacity: 4,
    send: async (message) => {
      const safeId = message.messageId.replace(/[^\w.-]+/g, '_');
      const file = path.join(options.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeId}.eml`);
      writeFileSync(file, message.raw);
    },
    verify: async () => {},
    close: () => {},
  };
}
