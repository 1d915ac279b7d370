import { SMTPServer } from 'smtp-server';
import { freePort } from '../../src/runtime/local-redis.js';
import type { Receipt } from './notice-fixtures.js';

export interface SlowSmtp {
  url: string;
  /** What the server accepted, in order: recipients and Message-ID of each message. */
  received: Receipt[];
  stop(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server) that takes `delayMs` to accept each message, so that a
 * fan-out of hundreds lasts a few seconds and a worker can be killed in the middle of it.
 * Unlike test/support/smtp.ts it only reads the Message-ID header: parsing hundreds of
 * messages with their invitations would cost the two cores more than the workers under test.
 * A message is recorded before its "250 OK" goes out, as a real server queues it first.
 */
export async function startSlowSmtp(options: { delayMs: number }): Promise<SlowSmtp> {
  const port = await freePort();
  const received: Receipt[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // A killed client's half-sent message must not hold the close open for the default 30 s.
    closeTimeout: 200,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          messageId: /^Message-ID:\s*(\S+)/im.exec(headers)?.[1],
          receivedAt: Date.now(),
        });
        setTimeout(() => callback(), options.delayMs);
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
