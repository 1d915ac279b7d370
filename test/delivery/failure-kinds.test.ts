import { describe, expect, it } from 'vitest';
import { classifyFailure, describeFailure } from '../../src/delivery/failure-kinds.js';
import { WebhookError } from '../../src/delivery/webhook-sender.js';
import { PermanentDeliveryError } from '../../src/errors.js';
import { TemplateError } from '../../src/messages/render-notice.js';

const smtp = (responseCode: number, code = 'EENVELOPE') => Object.assign(new Error(`${responseCode} from the server`), { responseCode, code });
const socket = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
/** What postWebhook throws when fetch gets no answer: TypeError('fetch failed') with the socket error as its cause. */
const unanswered = (cause: unknown) => new WebhookError('webhook cms.example: fetch failed', undefined, { cause: new TypeError('fetch failed', { cause }) });

describe('classifying a delivery failure', () => {
  it.each([
    ['SMTP 421 (closing, try later)', smtp(421, 'EMESSAGE')],
    ['SMTP 450 (mailbox busy)', smtp(450)],
    ['SMTP 452 (insufficient storage)', smtp(452)],
    ['SMTP 535 with EAUTH (wrong login: an operator fixes it)', smtp(535, 'EAUTH')],
    ['connection refused', socket('ECONNREFUSED')],
    ['connection reset', socket('ECONNRESET')],
    ['a timeout', socket('ETIMEDOUT')],
    ['DNS', socket('ENOTFOUND')],
    ['DNS, try again', socket('EAI_AGAIN')],
    ['nodemailer connection closed', socket('ECONNECTION')],
    ['webhook 500', new WebhookError('webhook answered 500', 500)],
    ['webhook 503', new WebhookError('webhook answered 503', 503)],
    ['webhook 408', new WebhookError('webhook answered 408', 408)],
    ['webhook 429', new WebhookError('webhook answered 429', 429)],
    ['webhook refused', unanswered(socket('ECONNREFUSED'))],
    ['webhook timed out', new WebhookError('webhook cms.example: timeout', undefined, { cause: Object.assign(new Error('timed out'), { name: 'TimeoutError' }) })],
  ])('when it is %s, then it is transient: retried with backoff', (_label, error) => {
    expect(classifyFailure(error)).toBe('transient');
  });

  it.each([
    ['SMTP 550 for an address', smtp(550)],
    ['SMTP 553', smtp(553)],
    ['SMTP 554 at DATA', smtp(554, 'EMESSAGE')],
    ['webhook 400', new WebhookError('webhook answered 400', 400)],
    ['webhook 404', new WebhookError('webhook answered 404', 404)],
    ['webhook 410', new WebhookError('webhook answered 410', 410)],
    ['a PermanentDeliveryError', new PermanentDeliveryError('WEBHOOK_SECRET is not set')],
  ])('when it is %s, then it is permanent: that delivery fails at once', (_label, error) => {
    expect(classifyFailure(error)).toBe('permanent');
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'name')")],
    ['a template error', new TemplateError('template managers/announcement.html.hbs: #if requires exactly one argument', 'managers/announcement.html.hbs')],
    ['the invitation failing to build', new Error('`organizer.name` is empty!')],
    ['a RangeError', new RangeError('Invalid time value')],
    ['a thrown string', 'something odd'],
    ['an error with an unknown code', socket('EWHATEVER')],
    ['a webhook that failed without a network cause', new WebhookError('webhook cms.example: fetch failed', undefined, { cause: new TypeError('fetch failed', { cause: new Error('unexpected redirect') }) })],
  ])('when it is %s, then it is a programming error: nothing unknown is retried', (_label, error) => {
    expect(classifyFailure(error)).toBe('programming');
  });

  it('when described, then the line names the error type of a programming error and the SMTP response of a refusal', () => {
    expect(describeFailure(new TypeError('x is not a function'))).toBe('TypeError: x is not a function');
    expect(describeFailure(Object.assign(new Error('Can\'t send mail'), { response: '550 5.1.1 No such\r\n user' }))).toBe('550 5.1.1 No such user');
  });
});
