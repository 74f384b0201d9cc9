/**
 * /v1/openapi.json is generated from the zod schemas and describes what the API really accepts:
 * every route is in it, the shipped example validates against it, and bodies it rejects the API
 * rejects too.
 */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/registry';
import { bookingRequest, callApi, createTestTenant, type TestTenant } from './helpers';

let doc: any;
let tenant: TestTenant;
let validateBooking: (body: unknown) => boolean;

beforeAll(async () => {
  const response = await callApi('GET', '/v1/openapi.json');
  expect(response.status).toBe(200);
  doc = response.body;
  tenant = await createTestTenant();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi');
  const validate = ajv.compile({ $ref: 'openapi#/components/schemas/CreateBookingRequest' });
  validateBooking = (body) => validate(body) as boolean;
});

describe('GET /v1/openapi.json', () => {
  it('documents every route the API serves', () => {
    for (const route of routes) {
      expect(doc.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    }
  });

  it('accepts the shipped example, and the API books it', async () => {
    const example = JSON.parse(readFileSync('examples/booking.json', 'utf8'));
    expect(validateBooking(example)).toBe(true);
    const response = await tenant.call('POST', '/v1/bookings', example);
    expect(response.status).toBe(201);
  });

  it.each([
    [
      'no customer',
      () => {
        const b = bookingRequest();
        delete b.customer;
        return b;
      },
    ],
    ['an unknown channel', () => bookingRequest({ channel: 'carrier-pigeon' })],
    ['a window without a start', () => bookingRequest({ window: { date: '2026-12-02' } })],
    ['a non-string job type', () => bookingRequest({ jobTypeId: 42 })],
  ])('rejects %s, as the API does', async (_label, make) => {
    const body = make();
    expect(validateBooking(body)).toBe(false);
    const response = await tenant.call('POST', '/v1/bookings', body);
    expect(response.status).toBe(400);
  });

  it('serves tool definitions for LLM agents from the same schemas', async () => {
    const response = await callApi('GET', '/v1/tools.json');
    expect(response.status).toBe(200);
    const tool = response.body.tools.find((t: { name: string }) => t.name === 'create_booking');
    expect(tool.parameters.required).toEqual(expect.arrayContaining(['customer', 'address', 'channel']));
    // jobTypeId is optional: without it, triage decides from what the caller said.
    expect(tool.parameters.properties).toHaveProperty('jobTypeId');
    expect(response.body.tools.map((t: { name: string }) => t.name)).toContain('triage_request');
  });
});
