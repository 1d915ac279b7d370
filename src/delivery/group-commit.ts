/**
 * Many callers, few statements: each call waits for the statement that carries it. A
 * statement goes `windowMs` after the first call that waits for one, or as soon as
 * `maxItems` wait; one runs at a time, and calls that arrive meanwhile go in the next.
 */
export function groupCommit<T, R>(
  write: (items: T[]) => Promise<R[]>,
  options: { maxItems: number; windowMs: number },
): (item: T) => Promise<R> {
  const waiting: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  let running = false;
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (running || waiting.length === 0) return;
    running = true;
    const group = waiting.splice(0, options.maxItems);
    write(group.map((w) => w.item))
      .then(
        (results) => group.forEach((w, i) => w.resolve(results[i]!)),
        (error: unknown) => group.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        running = false;
        if (waiting.length >= options.maxItems) flush();
        else if (waiting.length > 0) timer ??= setTimeout(flush, options.windowMs);
      });
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (waiting.length >= options.maxItems) flush();
      else timer ??= setTimeout(flush, options.windowMs);
    });
}
