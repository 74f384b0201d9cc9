/**
 * `30m` / `4h` / `2d` in milliseconds: the review list's age filters (review/schemas.ts validates the
 * form). Apart from the schemas so that review/store.ts, which every function that opens a review item
 * loads, does not build the review API's schemas at init (issue 19).
 */
export function durationMs(value: string): number {
  const amount = Number(value.slice(0, -1));
  const unit = value.at(-1);
  return amount * (unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000);
}
