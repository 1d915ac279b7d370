import { pino, type Logger } from 'pino';

/** JSON logs on stdout; secrets never reach them (tokens and passwords are redacted). */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'driftstopp' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.token', '*.password', 'smtpUrl', 'webhookSecret'],
      censor: '[hemligt]',
    },
  });
}
