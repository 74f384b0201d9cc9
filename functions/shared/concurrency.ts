/**
 * Runs `run` on every item with at most `limit` in flight at once (not one after another, not all
 * at once: a few DynamoDB calls each, so a large set neither waits in line nor floods the table).
 * Every item is attempted, unless `until` (asked before each item is started, with the number of
 * items that failed so far) says to stop: a time budget, or a failure that makes the rest pointless.
 * The first failure is thrown once every started item has settled.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<unknown>,
  options: { until?: (failures: number) => boolean } = {},
): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
      while (next < items.length && !options.until?.(failures.length)) {
        const item = items[next++]!;
        try {
          await run(item);
        } catch (error) {
          failures.push(error);
        }
      }
    }),
  );
  if (failures.length) throw failures[0];
}
