import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../support/database.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const OUTPUTS = ['/public/driftstopp', '/public/driftstopp.ics', '/public/driftstopp.atom', '/public/driftstopp.json'];

function tuesdayIn(days: number) {
  let day = DateTime.now().setZone('Europe/Stockholm').startOf('day').plus({ days });
  while (day.weekday !== 2) day = day.plus({ days: 1 });
  return { start: day.set({ hour: 9 }).toISO()!, end: day.set({ hour: 12 }).toISO()! };
}

describe.each(testBackends)('what the public sees, end to end, on $name', (backend) => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack(backend);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const output = async (path: string) => (await fetch(`${stack.api.baseUrl}${path}`)).text();

  it('when a window lies far ahead its public notice waits and it is absent everywhere; a short-notice one appears in all four outputs within seconds', async () => {
    const far = await stack.api.request('POST', '/api/windows', {
      body: { title: 'Långt fram: uppgradering X17', systems: ['tes'], kind: 'minor', ...tuesdayIn(60) },
    });
    expect(far.status).toBe(201);
    const soon = await stack.api.request('POST', '/api/windows', {
      body: { title: 'Snart: uppgradering Y42', systems: ['careapp'], kind: 'minor', ...tuesdayIn(3), shortNotice: { reason: 'Säkerhetsrättning' } },
    });
    expect(soon.status).toBe(201);
    const registeredAt = Date.now();

    for (const path of OUTPUTS) {
      const body = await eventually(() => output(path), (text) => text.includes('Y42'), 10_000);
      expect(body).not.toContain('X17');
    }
    expect(Date.now() - registeredAt).toBeLessThan(10_000);
    const json = JSON.parse(await output('/public/driftstopp.json'));
    expect(json.items.map((w: any) => w.id)).toEqual([soon.body.id]);
  });
});
