/**
 * Fuzz: no input makes a 5xx (issue 11 part 4). Walks every operation of the OpenAPI document the
 * API serves (/v1/openapi.json, generated from the zod schemas) and sends hostile input derived
 * from it: prototype names (`__proto__`, `constructor`, `toString`) as values, keys and path
 * parameters; 1 MB strings; wrong types; deep nesting; malformed %-escapes in path parameters;
 * every method a path does not serve. Each answer must be below 500, every 4xx must carry
 * `error.message`, and a 400 to a body wrong in one field must name that field in `error.field`. Input the API must refuse must also write nothing: the fuzz tenant's items and
 * the secrets store are the same before and after.
 *
 * fast-check with a fixed seed and a bounded number of runs per operation: the same requests every
 * run. A failure lists each offending request (method, path, what was sent, the answer).
 */
import { readFileSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { documentClient } from '../../functions/shared/clients';
import { bookingRequest, createTestTenant, nextWeekday, type TestTenant } from './helpers';

const SEED = 20_261_129;
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', '__defineGetter__'];
const BAD_ESCAPES = ['%E0%A4%A', '%', '%zz', '%C0%AF', '%E2%82', '%%41'];
const ONE_MB = 'A'.repeat(1_048_576);
const WIDE_MB = '€'.repeat(350_000); // 1 MB of 3-byte characters
const LONG_PARAM = 'A'.repeat(6_000); // path and query stay under Node's 16 KB header limit
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
/**
 * ~570 requests in all. Measured 2026-11-29 on the shared 2-core machine under a load average of
 * 30-38: 130-240 s for the refused set, 50-70 s for the prototype set. The limit leaves room for that.
 */
const FUZZ_TIMEOUT_MS = 600_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Record<string, any>;

function deep(depth: number, kind: 'array' | 'object'): Json {
  let value: Json = 'x';
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}
const DEEP_ARRAY = deep(1_000, 'array');
const DEEP_OBJECT = deep(1_000, 'object');

interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

interface Operation {
  method: string;
  path: string;
  params: Param[];
  body?: { contentType: string; schema: Schema };
}

interface Sent {
  method: string;
  path: string;
  query?: Record<string, string> | string;
  headers?: Record<string, string>;
  body?: string;
}

interface Answer {
  status: number;
  text: string;
}

let doc: any;
let operations: Operation[] = [];
let tenant: TestTenant;

function resolve(schema: Schema | undefined): Schema {
  let current = schema ?? {};
  while (current.$ref) current = doc.components.schemas[String(current.$ref).split('/').pop()!];
  return current;
}

/** JSON types a schema accepts (enum and const count as their values' types). */
function typesOf(input: Schema): Set<string> {
  const schema = resolve(input);
  const out = new Set<string>();
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) for (const alternative of alternatives) for (const type of typesOf(alternative)) out.add(type);
  if (schema.allOf) for (const part of schema.allOf) for (const type of typesOf(part)) out.add(type);
  for (const type of [schema.type ?? []].flat()) out.add(type === 'integer' ? 'number' : type);
  for (const value of [...(schema.enum ?? []), ...(schema.const !== undefined ? [schema.const] : [])]) out.add(jsonType(value));
  if (!out.size) for (const type of ['string', 'number', 'boolean', 'null', 'array', 'object']) out.add(type); // unconstrained
  return out;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const FUTURE_DATE = nextWeekday(3, 7);
const KNOWN_PATTERNS: Record<string, string> = {
  '^\\d{4}-\\d{2}-\\d{2}$': FUTURE_DATE,
  '^([01]\\d|2[0-3]):[0-5]\\d$': '10:00',
};

/** A plausible valid value for a schema: examples first, then the smallest thing its bounds accept. */
function baseline(input: Schema, name = ''): Json {
  const schema = resolve(input);
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return baseline(alternatives.find((a: Schema) => resolve(a).type !== 'null') ?? alternatives[0], name);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part: Schema) => baseline(part, name)));
  const type = [schema.type ?? 'string'].flat()[0];
  switch (type) {
    case 'object': {
      const out: Record<string, Json> = {};
      for (const key of schema.required ?? []) out[key] = baseline(schema.properties?.[key] ?? {}, key);
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => baseline(schema.items ?? {}, name));
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default: {
      if (schema.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
      if (schema.format === 'email') return 'fuzz@example.com';
      if (schema.format === 'uri') return 'https://example.com/fuzz';
      if (schema.pattern) {
        const known = KNOWN_PATTERNS[schema.pattern];
        if (known) return known;
        const fits = (s: string) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity);
        const sample = fc.sample(fc.stringMatching(new RegExp(schema.pattern)), { seed: SEED, numRuns: 50 }).find(fits);
        if (sample !== undefined) return sample;
      }
      if (/date$/i.test(name) || name === 'from' || name === 'to') return FUTURE_DATE;
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    }
  }
}

/** Known-good requests where the schema alone cannot make one (ids that must exist). */
function knownBaseline(operation: Operation): { body?: Json; query?: Record<string, string> } {
  const key = `${operation.method} ${operation.path}`;
  if (key === 'POST /v1/bookings') return { body: bookingRequest() };
  if (key === 'POST /v1/holds') return { body: { jobTypeId: 'plumbing-drain-clog', postalCode: '78701' } };
  if (key === 'GET /v1/availability') return { query: { jobTypeId: 'plumbing-drain-clog', postalCode: '78701' } };
  return {};
}

function baselineBody(operation: Operation): Json | undefined {
  if (!operation.body) return undefined;
  return knownBaseline(operation).body ?? baseline(operation.body.schema);
}

function baselineQuery(operation: Operation): Record<string, string> {
  const known = knownBaseline(operation).query;
  if (known) return known;
  const query: Record<string, string> = {};
  for (const param of operation.params.filter((p) => p.in === 'query' && p.required)) query[param.name] = String(baseline(param.schema, param.name));
  return query;
}

/** Every place in a JSON value (dotted paths with [i]) and the schema that describes it. */
function fieldsOf(value: Json, input: Schema, prefix: Array<string | number> = []): Array<{ path: Array<string | number>; schema: Schema }> {
  const schema = resolve(input);
  const out: Array<{ path: Array<string | number>; schema: Schema }> = [];
  const alternatives: Schema[] = schema.anyOf ?? schema.oneOf ?? schema.allOf ?? [];
  const merged: Schema = alternatives.length
    ? (alternatives.map(resolve).find((a) => a.properties && Object.keys(value && typeof value === 'object' ? value : {}).every((k) => k in a.properties)) ??
      resolve(alternatives[0]!))
    : schema;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push({ path: [...prefix, i], schema: merged.items ?? {} });
      out.push(...fieldsOf(item, merged.items ?? {}, [...prefix, i]));
    });
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const property = merged.properties?.[key] ?? (typeof merged.additionalProperties === 'object' ? merged.additionalProperties : {});
      out.push({ path: [...prefix, key], schema: property });
      out.push(...fieldsOf(item, property, [...prefix, key]));
    }
    // Optional properties the baseline left out are places to put things too.
    for (const [key, property] of Object.entries<Schema>(merged.properties ?? {})) {
      if (!(key in value)) out.push({ path: [...prefix, key], schema: property });
    }
  }
  return out;
}

function withValue(value: Json, path: Array<string | number>, replacement: Json): Json {
  if (!path.length) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[head as number] = withValue(copy[head as number] ?? null, rest, replacement);
    return copy;
  }
  const object = value && typeof value === 'object' ? value : {};
  // defineProperty: a key named __proto__ is a key here, as it is in the JSON we send.
  const copy: Record<string, Json> = {};
  for (const [k, v] of Object.entries(object)) Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
  Object.defineProperty(copy, String(head), {
    value: withValue(object[String(head)] ?? null, rest, replacement),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

/** Values of a JSON type the schema does not accept, and strings over any bound. */
function refusedValues(schema: Schema): Json[] {
  const types = typesOf(schema);
  const candidates: Json[] = [ONE_MB, WIDE_MB, 12345, -1e308, true, null, [], {}, DEEP_ARRAY, DEEP_OBJECT, [ONE_MB]];
  return candidates.filter((candidate) => {
    const type = jsonType(candidate);
    if (type === 'string') return true; // 1 MB is over every string's maximum, and not any other type
    return !types.has(type);
  });
}

function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? 'x');
}

/** A path parameter as sent: hostile names %-encoded, or a raw malformed escape. */
const pathValue = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES).map(encodeURIComponent),
  fc.constantFrom(...BAD_ESCAPES),
  fc.constantFrom(LONG_PARAM, '..', '%2F', '%20', encodeURIComponent('€'), encodeURIComponent('a b/c')),
);

const queryValue = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.constantFrom(LONG_PARAM, '', '-1', '1e308', 'NaN', 'true', '[]', '{}', '€'));

async function send(request: Sent, authorised = true): Promise<Answer> {
  const query = typeof request.query === 'string' ? request.query : new URLSearchParams(request.query ?? {}).toString();
  const url = `${inject('apiUrl')}${request.path}${query ? `?${query}` : ''}`;
  const response = await fetch(url, {
    method: request.method,
    headers: {
      'content-type': 'application/json',
      ...(authorised ? { authorization: `Bearer ${tenant.apiKey}` } : {}),
      ...request.headers,
    },
    body: request.body,
  });
  return { status: response.status, text: await response.text() };
}

/** Bodies that differ from a valid one in one field only, and that field's path (`customer.phone`). */
const refusedField = new Map<string, string>();

/**
 * What is wrong with the answer to a body that differs from a valid one in one field: a 400 that
 * does not name that field (or a field inside it) leaves the caller guessing which one it was.
 */
function fieldProblem(request: Sent, answer: Answer): string | undefined {
  const field = request.body === undefined ? undefined : refusedField.get(request.body);
  if (field === undefined || answer.status !== 400) return undefined;
  const named = JSON.parse(answer.text)?.error?.field;
  if (typeof named !== 'string') return `answered 400 without error.field (the field sent wrong: ${field}): ${answer.text.slice(0, 200)}`;
  // The path and query of these requests are hostile too: naming one of them is naming what was wrong.
  if (named === field || named.startsWith(`${field}.`) || named === 'path' || /^(path|query)\./.test(named)) return undefined;
  return `answered 400 naming ${JSON.stringify(named)}, not the field sent wrong (${field}): ${answer.text.slice(0, 200)}`;
}

/** What is wrong with an answer, if anything: a 5xx, or a 4xx without error.message. */
function problem(answer: Answer): string | undefined {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status >= 400) {
    try {
      const body = JSON.parse(answer.text);
      if (typeof body?.error?.message !== 'string' || !body.error.message)
        return `answered ${answer.status} without error.message: ${answer.text.slice(0, 300)}`;
    } catch {
      return `answered ${answer.status} with a body that is not JSON: ${answer.text.slice(0, 300)}`;
    }
  }
  return undefined;
}

function describeSent(request: Sent): string {
  const body =
    request.body === undefined ? '' : ` body ${request.body.length > 300 ? `${request.body.slice(0, 300)}… (${request.body.length} chars)` : request.body}`;
  const query = request.query === undefined ? '' : ` query ${JSON.stringify(request.query).slice(0, 200)}`;
  return `${request.method} ${request.path.slice(0, 200)}${query}${body}`;
}

/** The fuzz tenant's items (its partitions and its API keys) and its secrets, as text. */
async function snapshot(): Promise<string> {
  const items: Array<Record<string, unknown>> = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: process.env.TABLE_NAME,
        FilterExpression: 'pk = :pk OR begins_with(pk, :prefix) OR tenantId = :tenant',
        ExpressionAttributeValues: { ':pk': `T#${tenant.tenantId}`, ':prefix': `T#${tenant.tenantId}#`, ':tenant': tenant.tenantId },
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const keyed = items.map((item) => JSON.stringify(item, Object.keys(item).sort())).sort();
  // Only the fuzz tenant's secrets: other test files write theirs into the same file meanwhile.
  const allSecrets = JSON.parse(readFileSync(inject('secretsFile'), 'utf8')) as Record<string, string>;
  const ownSecrets = Object.entries(allSecrets)
    .filter(([name]) => name.startsWith(`${tenant.tenantId}/`))
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify({ items: keyed, secrets: ownSecrets });
}

/** Runs `property` for each operation with a fixed seed; collects every problem instead of stopping at the first. */
async function fuzzEach(
  label: string,
  numRuns: (operation: Operation) => number,
  arbitrary: (operation: Operation) => fc.Arbitrary<Sent> | undefined,
): Promise<{ problems: string[]; sent: number; statuses: Map<number, number> }> {
  const problems: string[] = [];
  const statuses = new Map<number, number>();
  let sent = 0;
  for (const operation of operations) {
    const requests = arbitrary(operation);
    if (!requests) continue;
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const answer = await send(request);
        sent++;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const found = problem(answer) ?? fieldProblem(request, answer);
        if (found && problems.length < 50) problems.push(`${label}: ${describeSent(request)} ${found}`);
      }),
      { seed: SEED, numRuns: numRuns(operation), endOnFailure: true },
    );
  }
  return { problems, sent, statuses };
}

function isJsonBody(operation: Operation): boolean {
  return operation.body?.contentType === 'application/json';
}

/** Input the API must refuse: wrong types, 1 MB strings, deep nesting in the body; hostile path and query. */
function refusedRequest(operation: Operation): fc.Arbitrary<Sent> {
  const pathParams = operation.params.filter((p) => p.in === 'path').map((p) => p.name);
  const query = baselineQuery(operation);
  const queryNames = operation.params.filter((p) => p.in === 'query').map((p) => p.name);
  const pathArb = fc.record(Object.fromEntries(pathParams.map((name) => [name, pathValue]))) as fc.Arbitrary<Record<string, string>>;
  const queryArb = queryNames.length
    ? fc.option(
        fc.tuple(fc.constantFrom(...queryNames), queryValue).map(([name, value]) => ({ ...query, [name]: value })),
        { nil: query },
      )
    : fc.constant(query);
  let bodyArb: fc.Arbitrary<string | undefined> = fc.constant(undefined);
  if (operation.body && isJsonBody(operation)) {
    const base = baselineBody(operation)!;
    const fields = fieldsOf(base, operation.body.schema).filter((f) => refusedValues(f.schema).length);
    const whole = fc.constantFrom<Json>(null, 0, true, 'x', ONE_MB, DEEP_ARRAY, DEEP_OBJECT, [base]).map((v) => JSON.stringify(v));
    const raw = fc.constantFrom('{', '{"a":', '\u0000', '[1,]', '{"__proto__":', 'null null');
    const field = fields.length
      ? fc.constantFrom(...fields).chain((f) =>
          fc.constantFrom(...refusedValues(f.schema)).map((value) => {
            const body = JSON.stringify(withValue(base, f.path, value));
            refusedField.set(body, f.path.join('.'));
            return body;
          }),
        )
      : whole;
    bodyArb = fc.oneof({ arbitrary: field, weight: 4 }, { arbitrary: whole, weight: 1 }, { arbitrary: raw, weight: 1 });
  } else if (operation.body) {
    bodyArb = fc.constantFrom('__proto__=x&constructor=y&toString=z', `From=${ONE_MB}`, '%E0%A4%A=1&Body=%', 'Body=constructor&From=__proto__');
  }
  return fc.record({ path: pathArb, query: queryArb, body: bodyArb }).map(({ path, query, body }) => ({
    method: operation.method,
    path: fillPath(operation.path, path),
    query,
    ...(body === undefined ? {} : { body }),
    ...(operation.body && !isJsonBody(operation) ? { headers: { 'content-type': operation.body.contentType } } : {}),
  }));
}

/** Prototype names inside otherwise valid requests: as string values, as keys, as path and query values. */
function prototypeRequest(operation: Operation): fc.Arbitrary<Sent> {
  const pathParams = operation.params.filter((p) => p.in === 'path').map((p) => p.name);
  const query = baselineQuery(operation);
  const queryNames = operation.params.filter((p) => p.in === 'query').map((p) => p.name);
  const name = fc.constantFrom(...PROTOTYPE_NAMES);
  const pathArb = fc.record(Object.fromEntries(pathParams.map((p) => [p, name.map(encodeURIComponent)]))) as fc.Arbitrary<Record<string, string>>;
  const queryArb = queryNames.length
    ? fc.tuple(fc.constantFrom(...queryNames, ...PROTOTYPE_NAMES), name).map(([key, value]) => ({ ...query, [key]: value }))
    : fc.constant(query);
  let bodyArb: fc.Arbitrary<string | undefined> = fc.constant(undefined);
  if (operation.body && isJsonBody(operation)) {
    const base = baselineBody(operation)!;
    const fields = fieldsOf(base, operation.body.schema);
    const objects = [
      [],
      ...fields.filter((f) => typeof f.schema === 'object' && typesOf(f.schema).has('object') && !typesOf(f.schema).has('string')).map((f) => f.path),
    ];
    const strings = fields.filter((f) => typesOf(f.schema).has('string'));
    const asValue = strings.length ? fc.tuple(fc.constantFrom(...strings), name).map(([f, value]) => withValue(base, f.path, value)) : fc.constant(base);
    const asKey = fc
      .tuple(fc.constantFrom(...objects), name, fc.constantFrom<Json>('x', 1, {}, [], null, { polluted: true }))
      .map(([path, key, value]) => withValue(base, [...path, key], value));
    bodyArb = fc.oneof(asValue, asKey).map((body) => JSON.stringify(body));
  } else if (operation.body) {
    bodyArb = fc.constant('__proto__=x&constructor=y&toString=z');
  }
  return fc.record({ path: pathArb, query: queryArb, body: bodyArb }).map(({ path, query, body }) => ({
    method: operation.method,
    path: fillPath(operation.path, path),
    query,
    ...(body === undefined ? {} : { body }),
    headers: {
      ...(operation.body && !isJsonBody(operation) ? { 'content-type': operation.body.contentType } : {}),
      ...(operation.params.some((p) => p.name === 'Idempotency-Key') ? { 'Idempotency-Key': `fuzz-${Math.random().toString(36).slice(2)}` } : {}),
    },
  }));
}

beforeAll(async () => {
  const response = await fetch(`${inject('apiUrl')}/v1/openapi.json`);
  expect(response.status).toBe(200);
  doc = await response.json();
  operations = Object.entries<Record<string, any>>(doc.paths).flatMap(([path, item]) =>
    Object.entries<any>(item).map(([method, op]) => {
      const [contentType, content] = Object.entries<any>(op.requestBody?.content ?? {})[0] ?? [];
      return {
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).map((p: any) => ({ name: p.name, in: p.in, required: Boolean(p.required), schema: p.schema ?? {} })),
        ...(contentType ? { body: { contentType, schema: content.schema ?? {} } } : {}),
      };
    }),
  );
  // FUZZ_ONLY=<regex on "METHOD /path"> narrows a run while chasing one finding.
  const only = process.env.FUZZ_ONLY ? new RegExp(process.env.FUZZ_ONLY) : undefined;
  if (only) operations = operations.filter((op) => only.test(`${op.method} ${op.path}`));
  tenant = await createTestTenant();
});

describe('API fuzz (every operation in /v1/openapi.json)', () => {
  it('reads the document: every operation is fuzzed', () => {
    if (!process.env.FUZZ_ONLY) expect(operations.length).toBeGreaterThan(40);
  });

  it(
    'refuses hostile input with a 4xx that says why, and writes nothing',
    async () => {
      const before = await snapshot();
      const refused = await fuzzEach('refused', (op) => (op.body || op.params.some((p) => p.in !== 'header') ? 8 : 2), refusedRequest);
      // Every method a path does not serve.
      const wrongMethods: string[] = [];
      for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
        for (const method of METHODS.filter((m) => !(m.toLowerCase() in item))) {
          const request = { method, path: fillPath(path, {}), body: method === 'GET' ? undefined : '{"__proto__":{"admin":true}}' };
          const found = problem(await send(request));
          if (found) wrongMethods.push(`wrong method: ${describeSent(request)} ${found}`);
        }
      }
      const after = await snapshot();
      console.info(`fuzz (refused): ${refused.sent} requests, answers ${JSON.stringify(Object.fromEntries([...refused.statuses].sort()))}`);
      expect([...refused.problems, ...wrongMethods]).toEqual([]);
      expect(after, 'refused input wrote to the table or the secrets store').toBe(before);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'treats prototype names in otherwise valid requests as plain text',
    async () => {
      const result = await fuzzEach('prototype names', (op) => (op.method === 'POST' && op.path === '/v1/bookings' ? 4 : 3), prototypeRequest);
      console.info(`fuzz (prototype names): ${result.sent} requests, answers ${JSON.stringify(Object.fromEntries([...result.statuses].sort()))}`);
      expect(result.problems).toEqual([]);
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('the reproductions of issue 11 part 4', () => {
  it('POST /v1/triage and a booking without jobTypeId read "constructor" as a word', async () => {
    const text = 'The constructor left a leak under my sink';
    const triage = await tenant.call('POST', '/v1/triage', { text, channel: 'voice' });
    expect(triage.status, JSON.stringify(triage.body)).toBe(200);
    expect(triage.body.jobType?.jobTypeId).toBe('plumbing-leak-repair');
    const { jobTypeId: _omitted, ...withoutJobType } = bookingRequest({ request: text, transcript: [{ role: 'customer', text }] });
    const booking = await tenant.call('POST', '/v1/bookings', withoutJobType, { 'Idempotency-Key': `fuzz-constructor-${tenant.tenantId}` });
    expect([201, 400, 409], JSON.stringify(booking.body)).toContain(booking.status);
  });

  it.each(['constructor', '__proto__', 'toString'])('GET /console/%s without a key is 404', async (file) => {
    const answer = await send({ method: 'GET', path: `/console/${file}` }, false);
    expect(answer.status).toBe(404);
    expect(problem(answer)).toBeUndefined();
  });

  it('a 500 KB technician name is a 400 naming the field, and nothing is stored', async () => {
    const body = { name: 'N'.repeat(500_000), trades: ['plumbing'], postalCodes: ['78701'], shifts: {} };
    const answer = await tenant.call('PUT', '/v1/config/technicians/fuzz-huge', body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('name');
    expect((await tenant.call('GET', '/v1/config/technicians')).body.items.map((t: { technicianId: string }) => t.technicianId)).not.toContain('fuzz-huge');
  });

  it('5,000 sourceSettings entries are a 400 naming the field', async () => {
    const company = (await tenant.call('GET', '/v1/config/company')).body;
    const { tenantId: _t, crmMapping: _m, crmSync: _s, reviewRequestDelayHours: _r, paymentReminderDays: _p, reviewUrl: _u, ...settings } = company;
    const sourceSettings = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`source-${i}`, { campaign: 'c'.repeat(100) }]));
    const answer = await tenant.call('PUT', '/v1/config/company', { ...settings, sourceSettings });
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(400);
    expect(answer.body.error.field).toBe('sourceSettings');
  });

  it('a malformed %-escape in a path is a 400, as API Gateway answers it', async () => {
    const answer = await send({ method: 'GET', path: '/v1/bookings/%E0%A4%A' });
    expect(answer.status).toBe(400);
    expect(problem(answer)).toBeUndefined();
  });
});
