/**
 * Whether `zone` names a time zone this runtime knows (`America/Chicago`, `UTC`), asked of Intl the
 * way luxon's `IANAZone.isValidZone` asks it. No function imports luxon (~70 KB of every bundle that
 * did, issue 19): zone arithmetic is functions/shared/zoned-time.ts's.
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
