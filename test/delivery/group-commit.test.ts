import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../src/delivery/group-commit.js';

function recordingWrite(fail: (items: number[]) => boolean = () => false) {
  const writes: number[][] = [];
  let running = 0;
  let overlapped = false;
  const write = async (items: number[]) => {
    running += 1;
    overlapped ||= running > 1;
    writes.push(items);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running -= 1;
    if (fail(items)) throw new Error(`write of ${items.join(',')} failed`);
    return items.map((i) => i * 10);
  };
  return { write, writes, overlapped: () => overlapped };
}

describe('groupCommit', () => {
  it('when calls arrive within the window, then one write carries them all and each caller gets its own result', async () => {
    const { write, writes } = recordingWrite();
    const commit = groupCommit(write, { maxItems: 100, windowMs: 20 });

    const results = await Promise.all([1, 2, 3].map((i) => commit(i)));

    expect(results).toEqual([10, 20, 30]);
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it('when more calls wait than maxItems, then writes carry at most maxItems, one write at a time', async () => {
    const { write, writes, overlapped } = recordingWrite();
    const commit = groupCommit(write, { maxItems: 4, windowMs: 200 });

    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => commit(i)));

    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => i * 10));
    expect(writes.map((w) => w.length)).toEqual([4, 4, 2]);
    expect(overlapped()).toBe(false);
  });

  it('when a write fails, then every caller in it gets the error and later calls still go through', async () => {
    const { write } = recordingWrite((items) => items.includes(2));
    const commit = groupCommit(write, { maxItems: 100, windowMs: 5 });

    const failed = await Promise.allSettled([commit(1), commit(2)]);
    const later = await commit(3);

    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    expect(later).toBe(30);
  });
});
