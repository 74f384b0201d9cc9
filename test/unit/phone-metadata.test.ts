/**
 * The phone metadata bundled with the functions (functions/recognise/phone-metadata.json) is the
 * installed libphonenumber-js's own min metadata, sliced to the calling codes we serve (issue 19: the
 * whole world's metadata was 82 KB of every bundle that reads a phone). Regenerate it after a
 * libphonenumber-js upgrade with `UPDATE_PHONE_METADATA=1 npx vitest run --project unit test/unit/phone-metadata.test.ts`
 * (then `npx biome check --write functions/recognise/phone-metadata.json`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parsePhoneNumberFromString as parseWithAllCountries } from 'libphonenumber-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPhoneNational, normalizePhone, PHONE_CALLING_CODES, phoneCountryServed } from '../../functions/recognise/phone';

const metadataPath = resolve(import.meta.dirname, '../../functions/recognise/phone-metadata.json');

type Metadata = { version: number; country_calling_codes: Record<string, string[]>; countries: Record<string, unknown> };

/** The installed package's min metadata with only the served calling codes and their countries. */
function slice(): Metadata {
  const all = createRequire(import.meta.url)('libphonenumber-js/metadata.min.json') as Metadata;
  const codes = Object.fromEntries(PHONE_CALLING_CODES.map((code) => [code, all.country_calling_codes[code]!]));
  const countries = Object.fromEntries(Object.values(codes).flatMap((list) => list.map((country) => [country, all.countries[country]])));
  return { version: all.version, country_calling_codes: codes, countries };
}

describe('phone metadata', () => {
  it('is the installed libphonenumber-js min metadata for the served calling codes', () => {
    const expected = slice();
    if (process.env.UPDATE_PHONE_METADATA === '1') writeFileSync(metadataPath, `${JSON.stringify(expected)}\n`);
    expect(JSON.parse(readFileSync(metadataPath, 'utf8'))).toEqual(expected);
    expect(Object.keys(expected.countries)).toEqual(expect.arrayContaining(['US', 'CA', 'PR']));
  });

  it('reads every North American number as the full metadata does', () => {
    const written = [
      '(512) 555-0100',
      '512-555-0100',
      '+1 512 555 0100',
      '1 (416) 555-0199',
      '+1 787 555 0123',
      '787 234 5678',
      '+1 268 464 1234',
      '555-0100',
      '12',
      '+44 20 7946 0958',
    ];
    const digits = fc.stringMatching(/^\+?1? ?\(?[2-9]\d\d\)?[ -.]?\d{3}[ -.]?\d{4}$/);
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...written), digits), fc.constantFrom('US', 'CA', 'PR'), (raw, country) => {
        const full = parseWithAllCountries(raw, country);
        const expected = full?.isValid() && full.countryCallingCode === '1' ? full.number : undefined;
        expect(normalizePhone(raw, country)).toBe(expected);
        if (expected) expect(formatPhoneNational(expected, country)).toBe(full!.formatNational());
      }),
      { numRuns: 500 },
    );
  });

  it('serves the +1 countries only; a number elsewhere is not a phone we can text', () => {
    expect(phoneCountryServed('US')).toBe(true);
    expect(phoneCountryServed('CA')).toBe(true);
    expect(phoneCountryServed('GB')).toBe(false);
    expect(normalizePhone('+44 20 7946 0958', 'US')).toBeUndefined();
    expect(formatPhoneNational('+15125550100', 'US')).toBe('(512) 555-0100');
    expect(formatPhoneNational('not a phone', 'US')).toBe('not a phone');
  });
});
