import { SMTPServer } from 'smtp-server';
import { freePort } from '../src/runtime/local-redis.js';

export interface Sink {
  url: string;
  accepted: number;
  /** Date.now() of the latest acceptance. */
  lastAt: number;
  waitFor(count: number, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/** An SMTP server that accepts and discards: no parsing, so it measures the sender, not itself. */
export async function startSink(): Promise<Sink> {
  const port = await freePort();
  const sink: Sink = {
    url: `smtp://127.0.0.1:${port}`,
    accepted: 0,
    lastAt: 0,
    waitFor: async (count, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (sink.accepted < count) {
        if (Date.now() > deadline) throw new Error(`sink: expected ${count}, got ${sink.accepted}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return sink.lastAt;
    },
    stop: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        sink.accepted += 1;
        sink.lastAt = Date.now();
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  sink.stop = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}
