import { SMTPServer } from 'smtp-server';
import { freePort } from '../../src/runtime/local-redis.js';
import type { Receipt } from './notice-fixtures.js';

export interface SlowSmtpOptions {
  /** How long the "250 OK" of each message takes, so that a fan-out of hundreds lasts a few seconds. */
  delayMs: number;
  /**
   * After this many messages, the server keeps each further message but holds its reply
   * until `releaseReplies()`: the senders are left with messages the server has and they
   * do not know it has, the at-least-once window a crash can fall into.
   */
  holdRepliesAfter?: number;
}

export interface SlowSmtp {
  url: string;
  /** What the server accepted, in order: recipients and Message-ID of each message. */
  received: Receipt[];
  /** Messages kept whose reply is being held. */
  readonly held: number;
  /** While set, every message is refused with this temporary code (e.g. 421), after the usual delay, and not kept. */
  refuseWith: number | null;
  /** Answers the held messages (on connections still open) and every later one as usual. */
  releaseReplies(): void;
  stop(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server) that is slow to answer, and can be made to keep messages
 * without answering. Unlike test/support/smtp.ts it only reads the Message-ID header: parsing
 * hundreds of messages with their invitations would cost the two cores more than the workers
 * under test. A message is recorded as soon as its data is in, before the reply, as a real
 * server queues a message before it answers "250 OK".
 */
export async function startSlowSmtp(options: SlowSmtpOptions): Promise<SlowSmtp> {
  const port = await freePort();
  const received: Receipt[] = [];
  let holdAfter = options.holdRepliesAfter ?? Infinity;
  let holding: (() => void)[] | null = null;
  const control = { refuseWith: null as number | null };
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
        const refusal = control.refuseWith;
        if (refusal !== null) {
          setTimeout(() => callback(Object.assign(new Error('Try again later'), { responseCode: refusal })), options.delayMs);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          messageId: /^Message-ID:\s*(\S+)/im.exec(headers)?.[1],
          receivedAt: Date.now(),
        });
        const reply = () => setTimeout(() => callback(), options.delayMs);
        if (holding === null && received.length > holdAfter) holding = [];
        if (holding) holding.push(reply);
        else reply();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    get held() {
      return holding?.length ?? 0;
    },
    get refuseWith() {
      return control.refuseWith;
    },
    set refuseWith(code: number | null) {
      control.refuseWith = code;
    },
    releaseReplies() {
      const waiting = holding ?? [];
      holdAfter = Infinity;
      holding = null;
      for (const reply of waiting) reply();
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
