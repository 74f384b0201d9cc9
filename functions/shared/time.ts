/**
 * The clock. Domain code takes `now` as an argument; handlers read it here so tests and the local
 * runtime can move time without sleeping (JOBRELAY_CLOCK_OFFSET_MS shifts the whole local system).
 */
export function now(): Date {
  const offset = Number(process.env.JOBRELAY_CLOCK_OFFSET_MS ?? 0);
  return new Date(Date.now() + offset);
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
