/**
 * Whether `zone` names a time zone this runtime knows (`America/Chicago`, `UTC`), asked of Intl the
 * way luxon's `IANAZone.isValidZone` asks it. Schemas that only validate a zone use this rather
 * than luxon, which is ~70 KB of every bundle that imports it (issue 19); date math stays on luxon.
 */
export function isIanaTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone }).format();
    return true;
  } catch {
    return false;
  }
}
