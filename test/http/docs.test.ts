import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';

describe('API documentation', () => {
  let database: TestDatabase;
  let api: TestApi;
  beforeAll(async () => {
    database = await testBackends[0]!.open();
    api = await startTestApi(database.db);
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('when /docs is opened without a token, then Swagger UI is served and pointed at /openapi.json', async () => {
    const page = await api.request('GET', '/docs', { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('id="swagger-ui"');
    const init = await api.request('GET', '/docs/init.js', { token: null });
    expect(init.body).toContain("url: '/openapi.json'");
    const bundle = await fetch(`${api.baseUrl}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    const css = await fetch(`${api.baseUrl}/docs/assets/swagger-ui.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('when an asset that does not exist is asked for, then the answer is a 404 problem', async () => {
    const res = await api.request('GET', '/docs/assets/nope.js', { token: null });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
