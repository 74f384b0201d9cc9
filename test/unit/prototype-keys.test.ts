/**
 * Caller text that happens to name an Object.prototype member (`constructor`, `__proto__`,
 * `toString`, ...) is just text: every lookup keyed by it answers "not there" (issue 11 part 4).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { sourceSettingsFor } from '../../functions/attribution/intake';
import { handler as consoleAssets } from '../../functions/console/console-assets.handler';
import { defaultCrmMapping, mapFields } from '../../functions/crm/mapping';
import { normalizeStreet } from '../../functions/recognise/address';
import { classify, words } from '../../functions/triage/classify';
import { DEFAULT_TRIAGE_RULES } from '../../functions/triage/rules';
import { matchRoute } from '../../local/http';

const PROTOTYPE_KEYS = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];

describe('lookups keyed by caller text', () => {
  it('triage reads "The constructor left a leak under my sink" as words', () => {
    const answer = classify('The constructor left a leak under my sink', DEFAULT_TRIAGE_RULES);
    expect(answer.jobType?.jobTypeId).toBe('plumbing-leak-repair');
    for (const key of PROTOTYPE_KEYS) {
      expect(words(`${key} ${key.toLowerCase()} it is ${key} degrees`).every((w) => typeof w === 'string')).toBe(true);
      expect(() => classify(`${key} ${key.toLowerCase()} hasownproperty valueof`, DEFAULT_TRIAGE_RULES)).not.toThrow();
    }
  });

  it.each(PROTOTYPE_KEYS)('an address word %s stays a word', (key) => {
    expect(normalizeStreet(`12 ${key} ${key.toLowerCase()} st`)).toBe(
      `12 ${key.toLowerCase()} ${key.toLowerCase()} st`.replace(/_/g, ' ').replace(/\s+/g, ' ').trim(),
    );
  });

  it.each(PROTOTYPE_KEYS)('a marketing source %s has no settings unless the tenant set it', (key) => {
    expect(sourceSettingsFor({ sourceSettings: {} }, key)).toBeUndefined();
    expect(sourceSettingsFor({ sourceSettings: { google: { requiresAcceptance: true } } }, key)).toBeUndefined();
  });

  it('a CRM mapping path through a prototype member reads nothing', () => {
    const mapping = {
      ...defaultCrmMapping,
      booked: {
        dealStage: 'x',
        action: 'none' as const,
        fields: PROTOTYPE_KEYS.filter((k) => /^[A-Za-z0-9_]+$/.test(k)).flatMap((k) => [
          { crmField: `a_${k}`, from: `booking.${k}` },
          { crmField: k, from: 'booking.summary' },
        ]),
      },
    };
    const { fields } = mapFields(mapping, 'booked', { booking: { summary: 'S' } });
    expect(Object.values(fields).every((v) => v === 'S')).toBe(true);
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(fields))).toMatchObject({ constructor: 'S', toString: 'S', __proto__: 'S' });
  });

  it.each(PROTOTYPE_KEYS)('GET /console/%s is 404, not 500', async (file) => {
    const response = await consoleAssets({ rawPath: `/console/${file}`, pathParameters: { file } } as unknown as APIGatewayProxyEventV2);
    expect(response.statusCode).toBe(404);
  });
});

describe('local gateway', () => {
  it.each(['/v1/bookings/%E0%A4%A', '/v1/bookings/%', '/v1/bookings/%zz', '/console/%C0'])(
    'answers a malformed escape in %s as API Gateway does (400)',
    (path) => {
      const method = path.startsWith('/console') ? 'GET' : 'GET';
      expect(() => matchRoute(method, path)).not.toThrow();
      expect(matchRoute(method, path)).toEqual({ badRequest: expect.any(String) });
    },
  );

  it('decodes a well-formed escape', () => {
    expect(matchRoute('GET', '/v1/bookings/a%20b')).toMatchObject({ pathParameters: { id: 'a b' } });
  });
});

describe('postal-code centroids', () => {
  it.each(PROTOTYPE_KEYS)('a postal code %s travels as from the city centre', async (code) => {
    const { centroid } = await import('../../functions/dispatch/geo');
    expect(centroid(code)).toEqual(centroid('00000'));
  });
});
