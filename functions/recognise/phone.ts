import { type CountryCode, type MetadataJson, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import metadata from './phone-metadata.json';

/**
 * The calling codes whose numbers we read: +1, the North American Numbering Plan (the US, Canada,
 * the US territories and the Caribbean), where the companies we serve and their customers are.
 * phone-metadata.json is libphonenumber-js's own metadata sliced to them (82 KB -> ~4 KB in each
 * bundle; test/unit/phone-metadata.test.ts keeps it equal to the installed package's).
 */
export const PHONE_CALLING_CODES = ['1'] as const;

const phoneMetadata = metadata as unknown as MetadataJson;

export { phoneCountryServed } from './phone-countries';

/** E.164 form of a phone number as a caller or bot wrote it, or undefined when it is not a valid number. */
export function normalizePhone(raw: string, defaultCountry: string = 'US'): string | undefined {
  const parsed = parsePhoneNumberFromString(raw, defaultCountry as CountryCode, phoneMetadata);
  if (!parsed || !parsed.isValid()) return undefined;
  return parsed.number;
}

/** A phone as people write it in the country: (512) 555-0100; what cannot be read is returned as given. */
export function formatPhoneNational(phone: string, country: string): string {
  return parsePhoneNumberFromString(phone, country as CountryCode, phoneMetadata)?.formatNational() ?? phone;
}

export function normalizeEmail(raw: string | undefined): string | undefined {
  return raw?.trim().toLowerCase() || undefined;
}
