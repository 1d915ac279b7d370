import { expect } from 'vitest';
import type { TestApi } from './api.js';

/** Signs in on the admin form as a browser would, over plain HTTP; returns the session cookie. */
export async function signInOverHttp(api: TestApi, token: string): Promise<string> {
  const form = await fetch(`${api.baseUrl}/admin/logga-in`);
  const loginCookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${api.baseUrl}/admin/logga-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, token, next: '/admin' }).toString(),
  });
  expect(res.status).toBe(303);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}
