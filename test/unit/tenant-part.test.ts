/**
 * The tenant model builds its schemas on first use (functions/shared/lazy-shape.ts), and a function
 * that reads a few settings parses only those (tenantPartSchema, getTenantPart): what a stored
 * tenant must be is unchanged, a malformed one still fails, and a part is exactly TenantSchema's
 * field schemas. Pure: no AWS.
 */
import { describe, expect, it } from 'vitest';
import { lazyShape, pickShape } from '../../functions/shared/lazy-shape';
import * as z from '../../functions/shared/zod';
import { TenantSchema, tenantPartSchema } from '../../functions/tenant/model';
import { tenantFromItem, tenantPartFromItem } from '../../functions/tenant/store';

const stored = {
  pk: 'T#acme',
  sk: 'CONFIG',
  type: 'Tenant',
  tenantId: 'acme',
  name: 'Acme Plumbing',
  timeZone: 'America/Chicago',
  arrivalWindows: [{ start: '08:00', end: '10:00' }],
};

describe('tenant model, built on first use', () => {
  it('a stored tenant gets every default, as before', () => {
    const tenant = tenantFromItem(stored);
    expect(tenant).toMatchObject({
      country: 'US',
      holdMinutes: 10,
      crm: { adapter: 'builtin' },
      crmSync: { retryForMinutes: 120, backoffBaseSeconds: 30, backoffMaxSeconds: 900 },
      emergency: { maxWaitMinutes: 180 },
      messaging: { templates: {} },
      travelModel: 'buffer',
    });
    // Keys outside the model (the item's pk/sk/type) are not part of the answer.
    expect(tenant).not.toHaveProperty('pk');
  });

  it.each([
    ['an arrival window that is not a time', { arrivalWindows: [{ start: '8am', end: '10:00' }] }, ['arrivalWindows', 0, 'start']],
    ['CRM settings of an unknown adapter', { crm: { adapter: 'salesforce' } }, ['crm', 'adapter']],
    ['a CRM setting the adapter does not know', { crm: { adapter: 'webhook', url: 'https://crm.example.com/hook', colour: 'red' } }, ['crm']],
    ['triage rules without their phrases', { triage: { jobTypes: [], trades: {}, emergencies: [] } }, ['triage', 'noHeat']],
    ['emergency settings out of range', { emergency: { maxWaitMinutes: 1 } }, ['emergency', 'maxWaitMinutes']],
    ['a CRM id table with an unknown key', { crmIds: { jobTypes: {}, colours: {} } }, ['crmIds']],
    ['an on-call rotation with a bad date', { onCallRotation: [{ technicianId: 't1', from: 'monday', to: '2026-12-01' }] }, ['onCallRotation', 0, 'from']],
  ])('a stored tenant with %s fails loudly', (_what, change, path) => {
    const result = TenantSchema.safeParse({ ...stored, ...change });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path)).toContainEqual(path);
    expect(() => tenantFromItem({ ...stored, ...change })).toThrow();
  });
});

describe('part of a tenant', () => {
  it('parses only the fields asked for, with their defaults', () => {
    expect(tenantPartFromItem(stored, ['timeZone', 'country'])).toEqual({ timeZone: 'America/Chicago', country: 'US' });
    expect(tenantPartFromItem({ ...stored, crmIds: { jobTypes: { drain: '42' } } }, ['crmIds'])).toEqual({
      crmIds: { jobTypes: { drain: '42' }, businessUnits: {}, campaigns: {}, technicians: {}, defaults: {} },
    });
  });

  it('a malformed field it reads fails as the whole tenant would', () => {
    expect(() => tenantPartFromItem({ ...stored, country: 'GB' }, ['country'])).toThrow();
    expect(() => tenantPartFromItem({ ...stored, timeZone: undefined }, ['timeZone'])).toThrow();
    expect(() => tenantPartFromItem({ ...stored, crmIds: { jobTypes: { drain: '' } } }, ['crmIds'])).toThrow();
    expect(() => tenantPartFromItem({ ...stored, name: '' }, ['name', 'timeZone'])).toThrow();
  });

  it('is TenantSchema field for field: the same schema instances, one per set of fields', () => {
    const part = tenantPartSchema(['timeZone', 'crmIds']);
    expect(part.shape.timeZone).toBe(TenantSchema.shape.timeZone);
    expect(part.shape.crmIds).toBe(TenantSchema.shape.crmIds);
    expect(Object.keys(part.shape)).toEqual(['timeZone', 'crmIds']);
    expect(tenantPartSchema(['crmIds', 'timeZone'])).toBe(part);
  });

  it('drops a stored secretName as getTenant does (a provider setting never names a secret)', () => {
    const item = { ...stored, crm: { adapter: 'builtin', secretName: 'old/name' } };
    expect(tenantPartFromItem(item, ['crm'])).toEqual({ crm: { adapter: 'builtin' } });
    expect(tenantFromItem(item).crm).toEqual({ adapter: 'builtin' });
  });
});

describe('lazyShape', () => {
  it('builds a field once, when a schema first needs it, not when schemas are derived from it', () => {
    const built: string[] = [];
    const shape = lazyShape({
      a: () => {
        built.push('a');
        return z.string().min(1);
      },
      b: () => {
        built.push('b');
        return z.number().int().default(3);
      },
    });
    const schema = z.object(shape);
    const picked = schema.pick({ a: true });
    const part = z.object(pickShape(shape, ['b']));
    expect(built).toEqual([]);
    expect(part.parse({ a: 'ignored' })).toEqual({ b: 3 });
    expect(built).toEqual(['b']);
    expect(schema.parse({ a: 'x' })).toEqual({ a: 'x', b: 3 });
    expect(() => schema.parse({ a: '' })).toThrow();
    expect(picked.parse({ a: 'y' })).toEqual({ a: 'y' });
    expect(built).toEqual(['b', 'a']);
  });
});
