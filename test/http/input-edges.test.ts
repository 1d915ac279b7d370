import { beforeEach, describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api-fixture.js';
import { testBackends } from '../support/database.js';

const NOW = '2026-11-25T12:00:00Z';

const minor = (extra: Record<string, unknown> = {}) => ({
  title: 'Uppgradering av Tes',
  systems: ['tes'],
  kind: 'minor',
  start: '2027-03-30T09:00:00+02:00',
  end: '2027-03-30T12:00:00+02:00',
  ...extra,
});

const extensive = (start: string, end: string) => ({ title: 'Byte av server', systems: ['tes'], kind: 'extensive', start, end });

describe.each(testBackends)('input at the edges of the windows API on $name', (backend) => {
  const fixture = useTestApi(backend, NOW);
  // The describe shares one database; each test registers its windows into a register of its own.
  beforeEach(() => fixture.retireWindows());

  const expectRefused = async (res: { status: number; body: any }, status: number, path: string, code: string) => {
    expect(res.status).toBe(status);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path, code })]));
    const error = res.body.errors.find((e: any) => e.path === path && e.code === code);
    // Swedish for the person who reads it: å, ä or ö, or a Swedish word.
    expect(error.message).toMatch(/[åäö]|Innehåller|Består/i);
  };

  it.each([
    ['a NUL byte in the title', { title: 'Uppgradering\u0000 av Tes' }, 'title', 'control_character'],
    ['an escape sequence in the title', { title: '\u001b[2JUppgradering' }, 'title', 'control_character'],
    ['a newline in the title', { title: 'Uppgradering\nav Tes' }, 'title', 'control_character'],
    ['a NUL byte in the description', { description: 'Rad ett\nRad\u0000 två' }, 'description', 'control_character'],
    ['a title of zero-width spaces', { title: '\u200b\u200b\u200b' }, 'title', 'invisible_only'],
    ['a title of a byte order mark and a word joiner', { title: '\ufeff\u2060' }, 'title', 'invisible_only'],
    ['a right-to-left override in the title', { title: 'Uppgradering \u202egnirtteppu' }, 'title', 'bidi_control'],
    ['a first strong isolate in the title', { title: 'Uppgradering \u2068x\u2069' }, 'title', 'bidi_control'],
    ['a NUL byte in the short-notice reason', { shortNotice: { reason: 'Akut\u0000' } }, 'shortNotice.reason', 'control_character'],
  ])('when a window is registered with %s, then it is refused with 400 naming the field, and nothing is stored', async (_label, extra, path, code) => {
    const before = await fixture.windowCount();
    await expectRefused(await fixture.api.request('POST', '/api/windows', { body: minor(extra) }), 400, path, code);
    expect(await fixture.windowCount()).toBe(before);
  });

  it('when a description has ordinary newlines and tabs, then the window is registered with them', async () => {
    const res = await fixture.api.request('POST', '/api/windows', { body: minor({ description: 'Vad:\r\n\t- Tes\n\t- CareApp' }) });
    expect(res.status).toBe(201);
    expect(res.body.description).toBe('Vad:\r\n\t- Tes\n\t- CareApp');
  });

  it.each([
    ['a NUL byte in the title', { title: 'Ny\u0000 rubrik' }, 'title', 'control_character'],
    ['a NUL byte in the description', { description: '\u0000' }, 'description', 'control_character'],
    ['a title of only invisible characters', { title: '\u200b\u3164' }, 'title', 'invisible_only'],
    ['a left-to-right override in the title', { title: '\u202dNy rubrik' }, 'title', 'bidi_control'],
  ])('when a window is changed with %s, then PATCH is refused with 400 naming the field and the window stays', async (_label, body, path, code) => {
    const window = (await fixture.api.request('POST', '/api/windows', { body: minor({ start: '2027-04-06T09:00:00+02:00', end: '2027-04-06T10:00:00+02:00' }) })).body;
    await expectRefused(await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body }), 400, path, code);
    const after = (await fixture.api.request('GET', `/api/windows/${window.id}`)).body;
    expect(after).toMatchObject({ title: window.title, description: window.description, revision: 1 });
  });

  it('when a window is cancelled with a NUL byte in the reason, then it is refused with 400 and stays scheduled', async () => {
    const window = (await fixture.api.request('POST', '/api/windows', { body: minor({ start: '2027-04-07T09:00:00+02:00', end: '2027-04-07T10:00:00+02:00' }) })).body;
    await expectRefused(await fixture.api.request('POST', `/api/windows/${window.id}/cancel`, { body: { reason: 'Inte\u0000 längre' } }), 400, 'reason', 'control_character');
    expect((await fixture.api.request('GET', `/api/windows/${window.id}`)).body.status).toBe('scheduled');
  });

  it.each([
    ['in the year 9999', minor({ start: '9999-03-30T09:00:00+02:00', end: '9999-03-30T12:00:00+02:00' }), 'start', 'too_far_ahead'],
    ['two years ahead', extensive('2028-11-25T08:00:00+01:00', '2028-11-25T18:00:00+01:00'), 'start', 'too_far_ahead'],
    ['ten years long', extensive('2027-05-22T08:00:00+02:00', '2037-05-22T08:00:00+02:00'), 'end', 'too_long'],
    ['73 hours long', extensive('2027-05-22T08:00:00+02:00', '2027-05-25T09:00:00+02:00'), 'end', 'too_long'],
  ])('when a window %s is registered, then it is refused with 422 and nothing is stored', async (_label, body, path, code) => {
    const before = await fixture.windowCount();
    await expectRefused(await fixture.api.request('POST', '/api/windows', { body }), 422, path, code);
    expect(await fixture.windowCount()).toBe(before);
  });

  it('when an extensive window of exactly 72 hours 18 months ahead is registered, then it is accepted', async () => {
    const res = await fixture.api.request('POST', '/api/windows', { body: extensive('2028-05-20T08:00:00+02:00', '2028-05-23T08:00:00+02:00') });
    expect(res.status).toBe(201);
  });

  it.each([
    ['moved to the year 9999', { start: '9999-05-22T08:00:00+02:00', end: '9999-05-22T18:00:00+02:00' }, 'start', 'too_far_ahead'],
    ['stretched to ten years', { end: '2037-05-22T08:00:00+02:00' }, 'end', 'too_long'],
  ])('when an extensive window is %s by PATCH, then it is refused with 422 and keeps its times and revision', async (_label, body, path, code) => {
    const window = (await fixture.api.request('POST', '/api/windows', { body: extensive('2027-05-22T08:00:00+02:00', '2027-05-22T18:00:00+02:00') })).body;
    await expectRefused(await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body }), 422, path, code);
    const after = (await fixture.api.request('GET', `/api/windows/${window.id}`)).body;
    expect(after).toMatchObject({ start: window.start, end: window.end, revision: 1 });
  });
});
