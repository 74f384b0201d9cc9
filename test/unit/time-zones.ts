/**
 * Time zones the date tests run in (zoned-time.test.ts, notify-variables.test.ts): the North American
 * zones tenants book in (St. John's half-hour offset, Phoenix without daylight saving, Honolulu and
 * Anchorage among them). Not a test file.
 */
export const NORTH_AMERICAN_ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
  'America/Toronto',
  'America/St_Johns',
  'America/Halifax',
];
