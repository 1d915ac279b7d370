import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { freePort } from '../../src/runtime/local-redis.js';

export interface ReceivedMail {
  to: string[];
  raw: string;
  /** Parsed by mailparser; with `parse: false` only the subject and Message-ID are filled in. */
  parsed: ParsedMail;
  receivedAt: number;
}

export interface TestSmtp {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Addresses the server refuses for good (550). */
  rejectAddresses: Set<string>;
  /** While set, every message is refused with this temporary code (e.g. 421). */
  refuseWith: number | null;
  stop(): Promise<void>;
  /** Starts again on the same port after stop(). */
  start(): Promise<void>;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
}

/** A real SMTP server (smtp-server) that records what it accepts. */
export async function startTestSmtp(port?: number, { parse = true }: { parse?: boolean | undefined } = {}): Promise<TestSmtp> {
  const chosen = port ?? (await freePort());
  const state: TestSmtp = {
    url: `smtp://127.0.0.1:${chosen}`,
    port: chosen,
    received: [],
    rejectAddresses: new Set(),
    refuseWith: null,
    stop: async () => {},
    start: async () => {},
    waitFor: async () => {},
  };
  let server: SMTPServer | null = null;
  const options: SMTPServerOptions = {
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      if (state.rejectAddresses.has(address.address.toLowerCase())) {
        const error = Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 });
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (state.refuseWith) {
          return callback(Object.assign(new Error('Try again later'), { responseCode: state.refuseWith }));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        // Parsing thousands of messages with their invitations would cost more than the workers under test.
        const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(raw)?.[1]?.trim();
        const parsed =
          parse === false
            ? ({ messageId: header('Message-ID'), subject: header('Subject') } as ParsedMail)
            : await simpleParser(raw);
        state.received.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw, parsed, receivedAt: Date.now() });
        callback();
      });
    },
  };
  state.start = () =>
    new Promise((resolve, reject) => {
      server = new SMTPServer(options);
      server.on('error', () => {});
      server.listen(chosen, '127.0.0.1', () => resolve());
      server.once('error', reject);
    });
  state.stop = () =>
    new Promise((resolve) => {
      if (!server) return resolve();
      const s = server;
      server = null;
      s.close(() => resolve());
    });
  state.waitFor = async (count, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (state.received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${state.received.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await state.start();
  return state;
}
