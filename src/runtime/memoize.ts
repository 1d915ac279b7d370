/**
 * Remembers the results of a pure function by a key, up to `max` of them (then starts over).
 * Time zone arithmetic through Intl costs tens of microseconds a call, and the API and the
 * feeds format the same few window times on every request.
 */
export function memoize<A extends unknown[], R>(fn: (...args: A) => R, key: (...args: A) => string, max = 10_000): (...args: A) => R {
  const results = new Map<string, R>();
  return (...args) => {
    const k = key(...args);
    const known = results.get(k);
    if (known !== undefined || results.has(k)) return known as R;
    const result = fn(...args);
    if (results.size >= max) results.clear();
    results.set(k, result);
    return result;
  };
}
