import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** E.164 form of a phone number as a caller or bot wrote it, or undefined when it is not a valid number. */
export function normalizePhone(raw: string, defaultCountry: string = 'US'): string | undefined {
  const parsed = parsePhoneNumberFromString(raw, defaultCountry as CountryCode);
  if (!parsed || !parsed.isValid()) return undefined;
  return parsed.number;
}

export function normalizeEmail(raw: string | undefined): string | undefined {
  return raw?.trim().toLowerCase() || undefined;
}
