/** Fuzz: no input, however broken, makes the request parser do anything but accept or answer 400. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CreateBookingRequestSchema } from '../../functions/booking/schemas';
import { ApiError } from '../../functions/shared/errors';
import { parseWith } from '../../functions/shared/http';
import { readFileSync } from 'node:fs';

function parseOutcome(input: unknown): 'ok' | number {
  try {
    parseWith(CreateBookingRequestSchema, input);
    return 'ok';
  } catch (error) {
    if (error instanceof ApiError) return error.statusCode;
    throw error;
  }
}

describe('booking request parser (fuzz)', () => {
  it('answers anything with ok or a 400 naming a field', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const outcome = parseOutcome(input);
        expect(outcome === 'ok' || outcome === 400).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('answers mutations of a valid request with ok or 400', () => {
    const valid = JSON.parse(readFileSync('examples/booking.json', 'utf8')) as Record<string, unknown>;
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(valid)), fc.anything(), (key, value) => {
        const outcome = parseOutcome({ ...valid, [key]: value });
        expect(outcome === 'ok' || outcome === 400).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
