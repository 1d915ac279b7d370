import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';

export interface Mailer {
  /** Resolves when the server (or the outbox folder) has accepted the message. */
  send(message: SendMailOptions): Promise<void>;
  close(): void;
  describe: string;
}

export interface MailerOptions {
  /** SMTP server; without it every message is written as an .eml file to `outboxDir`. */
  smtpUrl?: string | undefined;
  outboxDir: string;
  /** Simultaneous SMTP connections. @defaultValue 5 */
  maxConnections?: number;
}

/** Nodemailer with a pooled SMTP transport, or an outbox folder of .eml files for trying it out. */
export function createMailer(options: MailerOptions): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport({
      url: options.smtpUrl,
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      maxMessages: 500,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      // A live send never takes this long, so a claim older than it is abandoned (see delivery-repository).
      socketTimeout: 30_000,
    } as Parameters<typeof nodemailer.createTransport>[0]);
    return {
      describe: `SMTP ${new URL(options.smtpUrl).host}`,
      send: async (message) => {
        await transport.sendMail(message);
      },
      close: () => transport.close(),
    };
  }
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  mkdirSync(options.outboxDir, { recursive: true });
  return {
    describe: `.eml-filer i ${options.outboxDir}`,
    send: async (message) => {
      const info = (await composer.sendMail(message)) as unknown as { message: Buffer; messageId: string };
      const safeId = info.messageId.replace(/[^\w.-]+/g, '_');
      const file = path.join(options.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeId}.eml`);
      writeFileSync(file, info.message);
    },
    close: () => composer.close(),
  };
}
