import metadata from './phone-metadata.json';

/**
 * Whether phone numbers written in this country (ISO 3166 alpha-2, upper case) can be read: the +1
 * countries of phone-metadata.json (the US, Canada, the US territories and the Caribbean). A company
 * elsewhere could not recognise a single caller, so it is refused at setup rather than at its first
 * call. Apart from phone.ts so the tenant model checks it without loading libphonenumber-js.
 */
export function phoneCountryServed(country: string): boolean {
  return Object.hasOwn(metadata.countries, country);
}

export const PHONE_COUNTRY_MESSAGE = 'JobRelay reads North American (+1) phone numbers: expected a country such as US or CA';
