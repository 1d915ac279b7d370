import { fork } from 'node:child_process';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../src/runtime/local-redis.js';

/**
 * An SMTP server that accepts and discards, in a process of its own as a real mail server
 * would be: the sender under test does not pay for the receiving side's CPU.
 */
export interface Sink {
  url: string;
  /** Messages accepted so far. */
  accepted(): Promise<number>;
  /** Resolves with Date.now() of the `count`th acceptance. */
  waitFor(count: number, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

type Reply = { id: number; accepted: number; lastAt: number };

export async function startSink(): Promise<Sink> {
  const port = await freePort();
  const child = fork(new URL(import.meta.url).pathname, ['--serve', String(port)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const waiting = new Map<number, (reply: Reply) => void>();
  let nextId = 0;
  child.on('message', (reply: Reply) => {
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  const ask = (question: { count: number }) =>
    new Promise<Reply>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ id, ...question });
    });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted: async () => (await ask({ count: 0 })).accepted,
    waitFor: async (count, timeoutMs) => {
      const timeout = new Promise<never>((_, reject) => {
        setTimeout(() => reject(new Error(`sink: expected ${count} within ${timeoutMs} ms`)), timeoutMs).unref();
      });
      return (await Promise.race([ask({ count }), timeout])).lastAt;
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}

/** The child: serves SMTP and answers "tell me when `count` have been accepted". */
function serve(port: number): void {
  let accepted = 0;
  let lastAt = 0;
  let questions: { id: number; count: number }[] = [];
  const answer = () => {
    const due = questions.filter((q) => q.count <= accepted);
    questions = questions.filter((q) => q.count > accepted);
    for (const q of due) process.send!({ id: q.id, accepted, lastAt });
  };
  // Orphaned (the bench died or was killed): go too, and free the port.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (question: { id: number; count: number }) => {
    questions.push(question);
    answer();
  });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        accepted += 1;
        lastAt = Date.now();
        if (questions.length) answer();
        callback();
      });
    },
  });
  server.on('error', () => {});
  server.listen(port, '127.0.0.1', () => process.send!({ id: -1, accepted: 0, lastAt: 0 }));
}

if (process.argv[2] === '--serve') serve(Number(process.argv[3]));
