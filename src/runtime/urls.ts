/**
 * `PUBLIC_BASE_URL` in one form: scheme, host, optional port and path, no trailing slash,
 * no query or fragment. `https://kommun.example/driftstopp/` becomes
 * `https://kommun.example/driftstopp`, so `publicUrl` can join without a `//`.
 * Throws an Error saying what is wrong (the caller names the setting).
 */
export function normalizeBaseUrl(value: string): string {
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('must be an http or https URL');
  if (url.username || url.password) throw new Error('must not hold a user or password');
  if (url.search || url.hash) throw new Error('must not hold a query or fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A link under the public base URL: `publicUrl('https://k.example/driftstopp', '/public/driftstopp')`. */
export function publicUrl(baseUrl: string, pathname: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${pathname.replace(/^\/+/, '')}`;
}

/**
 * A URL fit for a log line: its password replaced by `***` (REDIS_URL, SMTP_URL and
 * DATABASE_URL may hold one). A URL with several hosts (`redis+cluster://:pw@a:1,b:2`), which
 * `URL` cannot read, is masked by its shape.
 */
export function withoutPassword(value: string): string {
  if (!URL.canParse(value)) {
    const masked = /^([a-z][\w+.-]*:\/\/[^:@/]*):[^@/]*@/i.exec(value);
    return masked ? `${masked[1]}:***@${value.slice(masked[0].length)}` : MULTI_HOST.test(value) ? value : '(not a URL)';
  }
  const url = new URL(value);
  if (url.password === '') return value;
  url.password = '***';
  return url.toString();
}

/** `scheme://[user@]host:port,host:port` without a password: nothing to hide. */
const MULTI_HOST = /^[a-z][\w+.-]*:\/\/([^:@/]*@)?[^@]*$/i;
