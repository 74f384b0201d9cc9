/**
 * forEachLimited (functions/shared/concurrency.ts): the bounded-concurrency loop of the reassignment's
 * announcements and the notification sweep's batches. At most `limit` items in flight; every item
 * attempted, a failure thrown once the started ones settle; `until` stops starting new items (the
 * sweep's time budget, and its first failed send: a refusing queue is not sent every batch).
 */
import { describe, expect, it } from 'vitest';
import { forEachLimited } from '../../functions/shared/concurrency';

/** A run that settles when the test says so, recording what is in flight. */
function gate() {
  const started: number[] = [];
  const release = new Map<number, (error?: Error) => void>();
  let inFlight = 0;
  let most = 0;
  const run = (item: number) =>
    new Promise<void>((resolve, reject) => {
      started.push(item);
      most = Math.max(most, ++inFlight);
      release.set(item, (error) => {
        inFlight--;
        if (error) reject(error);
        else resolve();
      });
    });
  const settle = async (item: number, error?: Error) => {
    release.get(item)!(error);
    // Let the loop start its next item.
    await new Promise((r) => setImmediate(r));
  };
  return { run, settle, started, most: () => most };
}

describe('forEachLimited', () => {
  it('keeps at most `limit` items in flight and runs every one in order', async () => {
    const g = gate();
    const done = forEachLimited([1, 2, 3, 4, 5], 2, g.run);
    await new Promise((r) => setImmediate(r));
    expect(g.started).toEqual([1, 2]);
    for (const item of [1, 2, 3, 4, 5]) await g.settle(item);
    await done;
    expect(g.started).toEqual([1, 2, 3, 4, 5]);
    expect(g.most()).toBe(2);
  });

  it('attempts every item after a failure and then throws the first failure', async () => {
    const seen: number[] = [];
    const run = async (item: number) => {
      seen.push(item);
      if (item === 2) throw new Error('two failed');
      if (item === 4) throw new Error('four failed');
    };
    await expect(forEachLimited([1, 2, 3, 4, 5], 2, run)).rejects.toThrow('two failed');
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('starts nothing more once `until` says so; the items started still settle before it answers', async () => {
    const g = gate();
    let stop = false;
    const done = forEachLimited([1, 2, 3, 4, 5], 2, g.run, { until: () => stop });
    await new Promise((r) => setImmediate(r));
    await g.settle(1);
    expect(g.started).toEqual([1, 2, 3]);
    stop = true;
    let answered = false;
    void done.then(() => (answered = true));
    await g.settle(2);
    expect(answered).toBe(false);
    await g.settle(3);
    await done;
    expect(g.started).toEqual([1, 2, 3]);
  });

  it('tells `until` how many items failed: stopping at the first failure', async () => {
    const g = gate();
    const done = forEachLimited([1, 2, 3, 4, 5], 2, g.run, { until: (failures) => failures > 0 }).catch((error: Error) => error);
    await new Promise((r) => setImmediate(r));
    await g.settle(1, new Error('refused'));
    await g.settle(2);
    expect(await done).toEqual(new Error('refused'));
    expect(g.started).toEqual([1, 2]);
  });
});
