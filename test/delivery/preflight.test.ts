import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createMailer } from '../../src/delivery/mailer.js';
import { noticeMessages } from '../../src/delivery/notice-messages.js';
import { preflight, PreflightError } from '../../src/delivery/preflight.js';
import { parseMailFrom } from '../../src/messages/mail-sender.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { freePort } from '../../src/runtime/local-redis.js';
import { brokenTemplates } from '../support/broken-templates.js';
import { startTestSmtp } from '../support/smtp.js';

const policy = loadPolicy();

function capturedLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const messagesWith = (templatesDir?: URL) =>
  noticeMessages({ policy, mailFrom: parseMailFrom('driftstopp@kommun.example'), publicBaseUrl: 'https://kommun.example/driftstopp/', templatesDir, linkSecret: 'preflight-link-secret-0123456789abcdef' });

describe('the preflight at start-up', () => {
  it('when a template calls a helper that throws, then it stops with one line naming TEMPLATES_DIR and the template', async () => {
    const broken = brokenTemplates('egetval/update.txt.hbs');
    onTestFinished(() => broken.remove());
    const { logger } = capturedLogger();
    const failure = await preflight({ policy, messages: messagesWith(broken.url), mailer: null, logger, now: new Date() }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PreflightError);
    const message = (failure as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^TEMPLATES_DIR egetval\/update\.txt\.hbs: the egetval update of a minor window cannot be rendered: .*#if requires exactly one argument/);
  });

  it('when a template file is missing, then the line names that file', async () => {
    const broken = brokenTemplates();
    onTestFinished(() => broken.remove());
    const { rmSync } = await import('node:fs');
    rmSync(`${broken.dir}/public/reminder.html.hbs`);
    const failure = await preflight({ policy, messages: messagesWith(broken.url), mailer: null, logger: capturedLogger().logger, now: new Date() }).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/^TEMPLATES_DIR public\/reminder\.html\.hbs: .*ENOENT/);
  });

  it('when every message renders and the SMTP server answers, then it passes and says the mail server answers', async () => {
    const smtp = await startTestSmtp();
    const mailer = createMailer({ smtpUrl: smtp.url, outboxDir: '/tmp/unused' });
    onTestFinished(async () => {
      mailer.close();
      await smtp.stop();
    });
    const { logger, lines } = capturedLogger();
    await preflight({ policy, messages: messagesWith(), mailer, logger, now: new Date() });
    expect(lines.map((l) => l.msg)).toContain('mail server answers');
    // Nothing is sent: the preflight only builds and addresses.
    expect(smtp.received).toHaveLength(0);
  });

  it('when the SMTP server is down, then it passes with a warning, since the server may come back', async () => {
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${await freePort()}`, outboxDir: '/tmp/unused' });
    onTestFinished(() => mailer.close());
    const { logger, lines } = capturedLogger();
    await preflight({ policy, messages: messagesWith(), mailer, logger, now: new Date() });
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringContaining('mail server does not answer') }));
  });

  it('when the SMTP server refuses the login, then it stops with one line naming SMTP_URL', async () => {
    const smtp = await startTestSmtp(undefined, { auth: { user: 'driftstopp', pass: 'rätt' } });
    const mailer = createMailer({ smtpUrl: smtp.url.replace('r%C3%A4tt', 'fel'), outboxDir: '/tmp/unused' });
    onTestFinished(async () => {
      mailer.close();
      await smtp.stop();
    });
    const failure = await preflight({ policy, messages: messagesWith(), mailer, logger: capturedLogger().logger, now: new Date() }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PreflightError);
    expect((failure as Error).message).toMatch(/^SMTP_URL: the mail server refuses the login: 535/);
  });
});
