/**
 * Runs `run` on every item with at most `limit` in flight at once (not one after another, not all
 * at once: a few DynamoDB calls each, so a large set neither waits in line nor floods the table).
 * Every item is attempted; the first failure is thrown once all have settled.
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
      while (next < items.length) {
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
