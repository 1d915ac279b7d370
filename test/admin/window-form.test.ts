import { describe, expect, it } from 'vitest';
import { inSwedish } from '../../src/admin/recipient-pages.js';
import { parseWindowForm, type WindowForm } from '../../src/admin/window-form.js';
import { windowFormContext } from '../../src/admin/window-form-view.js';
import { BusinessCalendar } from '../../src/rules/business-calendar.js';
import { createRecipientBody } from '../../src/recipients/recipient-schemas.js';
import { zodIssuesToFieldErrors } from '../../src/errors.js';
import { loadPolicy } from '../../src/policy/load-policy.js';

const policy = loadPolicy();

const form = (extra: Partial<WindowForm> = {}): WindowForm => ({
  title: 'Uppgradering av Tes',
  description: '',
  systems: ['tes'],
  kind: 'minor',
  start: '2027-03-30T09:00',
  end: '2027-03-30T12:00',
  reason: '',
  acceptShortNotice: false,
  overlapReason: '',
  acceptOverlap: false,
  blackoutReason: '',
  acceptBlackout: false,
  idempotencyKey: '',
  ...extra,
});

const errorsOf = (extra: Partial<WindowForm>) => parseWindowForm(form(extra), policy, { details: true }).errors.map((e) => [e.path, e.code]);

describe('the register form refuses what the API refuses', () => {
  it('when the form is ordinary, then it parses without errors, description lines and all', () => {
    expect(errorsOf({ description: 'Rad ett\r\nRad två' })).toEqual([]);
  });

  it.each([
    ['a NUL byte in the title', { title: 'Uppgradering\u0000' }, 'title', 'control_character'],
    ['an escape in the description', { description: 'Text\u001b[0m' }, 'description', 'control_character'],
    ['a title of zero-width spaces', { title: '\u200b\u200b' }, 'title', 'invisible_only'],
    ['a right-to-left override in the title', { title: 'Tes \u202eegarg' }, 'title', 'bidi_control'],
    ['a NUL byte in the short-notice reason', { acceptShortNotice: true, reason: 'Akut\u0000 fix' }, 'reason', 'control_character'],
  ])('when the form has %s, then the field is in error with the API\'s code and a Swedish message', (_label, extra, path, code) => {
    const { errors, value } = parseWindowForm(form(extra), policy, { details: true });
    expect(value).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ path, code, message: expect.stringMatching(/Innehåller|Består/) })]);
  });
});

describe('the recipient form shows the text rules in their own words', () => {
  it('when a name holds a bidi override, then the page says so instead of "Ange ett namn."', () => {
    const parsed = createRecipientBody.safeParse({ kind: 'manager', name: 'Anna \u202egrebÅ', email: 'anna@orebro.se', systems: ['tes'] });
    expect(parsed.success).toBe(false);
    const [error] = inSwedish(zodIssuesToFieldErrors(parsed.error!));
    expect(error).toMatchObject({ path: 'name', code: 'bidi_control', message: expect.stringContaining('riktning') });
  });
});

describe('the register form after a blackout refusal', () => {
  const rules = { policy, calendar: new BusinessCalendar(policy) };
  const refusal = {
    offered: { start: '2027-01-12T09:00:00.000+01:00', end: '2027-01-12T11:00:00.000+01:00' },
    conflicts: [],
    blackout: { reason: 'Julveckorna: verksamheten går på vikarier.' },
  };
  const errors = [{ path: 'start', code: 'blackout_period', message: 'Spärrperiod.' }];
  const contextFor = (kind: string) =>
    windowFormContext({ rules, form: form({ kind, start: '2027-01-05T09:00', end: '2027-01-05T11:00' }), errors, refusal, formPath: '/admin/driftstopp/ny' });

  it('when an extensive window is refused for a blackout period, then the form gives the reason and asks why it must be there', () => {
    const context = contextFor('extensive');
    expect(context.blackout).toEqual({ reason: 'Julveckorna: verksamheten går på vikarier.', allowed: true });
    expect(context.offered?.href).toContain('start=2027-01-12T09%3A00');
    expect(context.offered?.href).toContain('slut=2027-01-12T11%3A00');
  });

  it('when a minor window is refused for a blackout period, then the form gives the reason and only offers another time', () => {
    expect(contextFor('minor').blackout).toEqual({ reason: 'Julveckorna: verksamheten går på vikarier.', allowed: false });
  });

  it('when the exception is accepted without a reason, then the form asks for one', () => {
    const parsed = parseWindowForm(form({ acceptBlackout: true, acceptOverlap: true, overlapReason: 'ok' }), policy, { details: true });
    expect(parsed.errors.map((e) => [e.path, e.code])).toEqual([['overlapReason', 'required'], ['blackoutReason', 'required']]);
  });
});
