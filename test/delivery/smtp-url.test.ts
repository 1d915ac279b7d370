import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createMailer, type Mailer } from '../../src/delivery/mailer.js';
import { startTestSmtp, type TestSmtp } from '../support/smtp.js';

/** A user and password that only work when decoded: an @ in the user, a non-ASCII letter and URL delimiters in the password. */
const AUTH = { user: 'user@kommun', pass: 'päss:/?#@%' };

function message(to: string) {
  const messageId = `<${Math.random().toString(36).slice(2)}@kommun.example>`;
  const raw = Buffer.from(`From: driftstopp@kommun.example\r\nTo: ${to}\r\nSubject: Prov\r\nMessage-ID: ${messageId}\r\n\r\nHej\r\n`);
  return { envelope: { from: 'driftstopp@kommun.example', to }, raw, messageId };
}

let tmp: string;
let certificate: { key: string; cert: string; certFile: string };
let smtp: TestSmtp | undefined;
let mailer: Mailer | undefined;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'driftstopp-smtps-'));
  const keyFile = path.join(tmp, 'key.pem');
  const certFile = path.join(tmp, 'cert.pem');
  // A self-signed certificate for 127.0.0.1, as an internal relay might have.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  certificate = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(async () => {
  mailer?.close();
  await smtp?.stop();
  mailer = undefined;
  smtp = undefined;
});

/** The mailer as `npm start` builds it from these settings. */
function mailerFrom(env: Record<string, string>): Mailer {
  const config = loadConfig(env);
  return createMailer({ smtpUrl: config.smtpUrl, tlsCa: config.smtpCa, outboxDir: path.join(tmp, 'outbox') });
}

describe('SMTP_URL forms, against a real SMTP server', () => {
  it('when SMTP_URL is smtp:// with a URL-encoded user and password, then the server that requires them accepts the message', async () => {
    smtp = await startTestSmtp(undefined, { auth: AUTH });
    expect(smtp.url).toContain('user%40kommun:p%C3%A4ss%3A%2F%3F%23%40%25@');
    mailer = mailerFrom({ SMTP_URL: smtp.url });
    await mailer.send(message('anna@kommun.example'));
    expect(smtp.received.map((m) => m.to)).toEqual([['anna@kommun.example']]);
  });

  it('when SMTP_URL carries a wrong password, then the send fails with the server\'s 535 and nothing is accepted', async () => {
    smtp = await startTestSmtp(undefined, { auth: AUTH });
    mailer = mailerFrom({ SMTP_URL: smtp.url.replace('p%C3%A4ss', 'pass') });
    await expect(mailer.send(message('anna@kommun.example'))).rejects.toMatchObject({ responseCode: 535 });
    expect(smtp.received).toHaveLength(0);
  });

  it('when SMTP_URL is smtps:// with a user and password and SMTP_CA_FILE names the server\'s self-signed certificate, then the message goes over TLS', async () => {
    smtp = await startTestSmtp(undefined, { auth: AUTH, tls: certificate });
    expect(smtp.url.startsWith('smtps://')).toBe(true);
    mailer = mailerFrom({ SMTP_URL: smtp.url, SMTP_CA_FILE: certificate.certFile });
    await mailer.send(message('bo@kommun.example'));
    expect(smtp.received.map((m) => m.to)).toEqual([['bo@kommun.example']]);
  });

  it('when SMTP_URL is smtps:// to a self-signed server and no SMTP_CA_FILE is set, then the send fails on the certificate', async () => {
    smtp = await startTestSmtp(undefined, { tls: certificate });
    mailer = mailerFrom({ SMTP_URL: smtp.url });
    await expect(mailer.send(message('bo@kommun.example'))).rejects.toThrow(/self[- ]signed|certificate/i);
    expect(smtp.received).toHaveLength(0);
  });
});
