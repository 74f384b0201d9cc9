/** Address normaliser: one key per service address, whatever suffix, unit or punctuation form is used. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeAddress, normalizeStreet } from '../../functions/recognise/address';

describe('normalizeStreet', () => {
  it.each([
    ['1100 Congress Avenue', 'Apt 4B', '1100 congress ave #4b'],
    ['1100 Congress Ave.', '#4B', '1100 congress ave #4b'],
    ['1100 congress ave', 'Unit 4b', '1100 congress ave #4b'],
    ['1100 CONGRESS AVE, APT. #4B', undefined, '1100 congress ave #4b'],
    ['200 North Lamar Boulevard', 'Suite 12', '200 n lamar blvd #12'],
    ['200 N. Lamar Blvd', 'Ste 12', '200 n lamar blvd #12'],
    ['55 Main Street', undefined, '55 main st'],
    ['55 Main St.', undefined, '55 main st'],
  ])('%s / %s -> %s', (line1, line2, expected) => {
    expect(normalizeStreet(line1, line2)).toBe(expected);
  });

  it('tells different units and different streets apart', () => {
    expect(normalizeStreet('1100 Congress Ave', 'Apt 4B')).not.toBe(normalizeStreet('1100 Congress Ave', 'Apt 4C'));
    expect(normalizeStreet('1100 Congress Ave')).not.toBe(normalizeStreet('1100 Congress Ave', 'Apt 4C'));
    expect(normalizeStreet('55 Main St')).not.toBe(normalizeStreet('57 Main St'));
  });
});

describe('normalizeAddress', () => {
  it('uses the 5-digit ZIP and the country', () => {
    const a = normalizeAddress({ line1: '1100 Congress Avenue', line2: 'Apt 4B', postalCode: '78701-1234', country: 'US' });
    const b = normalizeAddress({ line1: '1100 congress ave #4b', postalCode: '78701' });
    expect(a).toBe(b);
    expect(a).toBe('1100 congress ave #4b|78701|us');
  });
});

describe('address normaliser (fuzz and properties)', () => {
  const word = fc.stringMatching(/^[A-Za-z]{1,10}$/);
  const street = fc.tuple(
    fc.integer({ min: 1, max: 99999 }),
    fc.array(word, { minLength: 1, maxLength: 4 }),
    fc.constantFrom('Street', 'St', 'St.', 'Avenue', 'Ave', 'Road', 'Rd.', 'Drive', 'Dr'),
  );

  it('never throws, and is idempotent, on any input', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string(), { nil: undefined }), fc.string(), (line1, line2, postalCode) => {
        const once = normalizeStreet(line1, line2);
        expect(typeof once).toBe('string');
        expect(normalizeStreet(once)).toBe(once);
        expect(typeof normalizeAddress({ line1, line2, postalCode })).toBe('string');
      }),
      { numRuns: 1000 },
    );
  });

  it('ignores case, punctuation and suffix spelling, and every unit form', () => {
    fc.assert(
      fc.property(
        street,
        fc.stringMatching(/^[0-9]{1,4}[A-Za-z]?$/),
        fc.constantFrom('Apt ', 'Apt. ', '#', 'Unit ', 'Suite ', 'apartment '),
        (s, unit, designator) => {
          const [number, names, suffix] = s;
          const plain = `${number} ${names.join(' ')} ${suffix}`;
          const variant = `${number} ${names.join(' ').toUpperCase()} ${suffix.replace('.', '')}.,`;
          expect(normalizeStreet(plain, `Apt ${unit}`)).toBe(normalizeStreet(variant, `${designator}${unit.toLowerCase()}`));
        },
      ),
      { numRuns: 500 },
    );
  });
});
