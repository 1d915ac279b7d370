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
  /**
   * After `count` messages, the server takes each further message but neither keeps nor
   * answers it until `resume()`: a fan-out stands still in the middle, as long as a test needs.
   */
  pauseAfter(count: number): void;
  /** Messages waiting for the pause to end. */
  readonly paused: number;
  resume(): void;
}

export interface TestSmtpOptions {
  /** Parse each message with mailparser. @defaultValue true */
  parse?: boolean | undefined;
  /** Require AUTH PLAIN/LOGIN with this user and password; `url` then carries them URL-encoded. @defaultValue none (auth optional) */
  auth?: { user: string; pass: string } | undefined;
  /** Speak TLS from the first byte (smtps) with this key and certificate. @defaultValue plain SMTP */
  tls?: { key: string; cert: string } | undefined;
}

/** A real SMTP server (smtp-server) that records what it accepts. */
export async function startTestSmtp(port?: number, { parse = true, auth, tls }: TestSmtpOptions = {}): Promise<TestSmtp> {
  const chosen = port ?? (await freePort());
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@` : '';
  const state: TestSmtp = {
    url: `${tls ? 'smtps' : 'smtp'}://${credentials}127.0.0.1:${chosen}`,
    port: chosen,
    received: [],
    rejectAddresses: new Set(),
    refuseWith: null,
    stop: async () => {},
    start: async () => {},
    waitFor: async () => {},
    pauseAfter: (count) => {
      pauseAt = count;
    },
    get paused() {
      return waiting.length;
    },
    resume: () => {
      pauseAt = Infinity;
      for (const release of waiting.splice(0)) release();
    },
  };
  let pauseAt = Infinity;
  const waiting: (() => void)[] = [];
  let server: SMTPServer | null = null;
  const options: SMTPServerOptions = {
    authOptional: auth === undefined,
    // Without TLS, smtp-server offers AUTH only with this set.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    ...(tls ? { secure: true, key: tls.key, cert: tls.cert } : {}),
    onAuth(presented, _session, callback) {
      if (auth && presented.username === auth.user && presented.password === auth.pass) return callback(null, { user: auth.user });
      callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
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
        if (state.received.length >= pauseAt) await new Promise<void>((release) => waiting.push(release));
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
