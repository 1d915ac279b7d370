export interface VersionCacheOptions {
  /** Keys kept at once; the oldest goes first. @defaultValue 20 */
  maxEntries?: number;
  /** An answer older than this is rendered again even without a change heard: a bound on any missed one. @defaultValue 10,000 */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Rendered answers kept until the data behind them may have changed. Each is stored under the
 * version seen before it was rendered and served only while that is still the version, so a
 * change that lands during a render is never hidden. Concurrent requests for one key share
 * one render. Without a version (`null`: changes cannot be heard now) nothing is kept.
 */
export function versionCache<T>(version: () => number | null, options: VersionCacheOptions = {}) {
  const { maxEntries = 20, maxAgeMs = 10_000, now = Date.now } = options;
  let entries = new Map<string, { at: number; value: Promise<T> }>();
  let entriesVersion: number | null = null;
  return (key: string, render: () => Promise<T>): Promise<T> => {
    const current = version();
    if (current === null) return render();
    if (current !== entriesVersion) {
      entries = new Map();
      entriesVersion = current;
    }
    const kept = entries.get(key);
    if (kept && now() - kept.at < maxAgeMs) return kept.value;
    entries.delete(key);
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    const entry = { at: now(), value: render() };
    entries.set(key, entry);
    const own = entries;
    entry.value.catch(() => own.get(key) === entry && own.delete(key));
    return entry.value;
  };
}
