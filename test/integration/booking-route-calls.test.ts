/**
 * Issue 19 item 1: the bookings route's own DynamoDB calls. The route's handler runs in this process
 * (the workflow's nodes run in the local system's Lambdas, so only the route's calls are counted
 * here, by the middleware of test/integration/dynamo-calls.ts). Pinned, so that a call taken out
 * does not come back unnoticed:
 * - the tenant configuration, the job type and the caller's phone (and email) claims are one
 *   BatchGetItem (not two GetItems; RecogniseCustomer then does not read the claims again);
 * - a new request's reservation, need claims and booking record are one TransactWriteItems (not a
 *   Put, two Puts and a transaction);
 * - the booking is not read after the run: a committed run's output carries it as CommitSlot's write
 *   left it (state-machines/booking.asl.json, Answer);
 * - the admission places (tenant and total) are taken in one transaction and given back in one,
 *   with the stored answer (the reservation completed) in that same transaction;
 * - at most 5 calls in all for a new booking: the API key (1), admission places taken (1),
 *   configuration, job type and claims (1), the one transaction (1), the stored answer with the
 *   places given back (1). Was 13, then 9, then 6. The same key again: 4, the key not read again
 *   (this instance found it live a moment ago) but checked in the admission places' transaction, so
 *   a revoked key is still refused (401) before anything is written, whatever the body.
 * And the replay still gets the first answer, in at most 5 calls (the transaction's cancellation names
 * the reservation as what was taken: it is read, not written again). Counts only, no timing.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/booking/create-booking.handler';
import { findApiKey } from '../../functions/admin/key-store';
import { revokeApiKey } from '../../functions/admin/store';
import { getReservation } from '../../functions/booking/reservation-store';
import { admissionKeys } from '../../functions/shared/admission-store';
import { queryPartition } from '../../functions/shared/dynamo';
import { type Call, counted } from './dynamo-calls';
import { createTestTenant, type TestTenant, tenantBookings } from './helpers';

/** POST /v1/bookings through the route's handler in this process, as API Gateway calls it. */
async function post(tenant: TestTenant, key: string, body: unknown): Promise<{ status: number; body: any }> {
  const event = {
    version: '2.0',
    routeKey: 'POST /v1/bookings',
    rawPath: '/v1/bookings',
    rawQueryString: '',
    headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/v1/bookings' }, routeKey: 'POST /v1/bookings', domainName: 'localhost' },
  } as unknown as APIGatewayProxyEventV2;
  const result = (await handler(event, {} as Context)) as { statusCode: number; body: string };
  return { status: result.statusCode, body: JSON.parse(result.body) };
}

const byCommand = (calls: Call[]) =>
  calls.reduce<Record<string, number>>((counts, call) => {
    const name = call.command.replace(/Command$/, '');
    counts[name] = (counts[name] ?? 0) + 1;
    return counts;
  }, {});

/**
 * The admission places' transaction takes a random place of the tenant's and one of the route's
 * across tenants; other test files book at the same time, so that random place may be held, and the
 * request then takes places one at a time (the key read first, then a Put per place: admission.ts).
 * The counts pinned here are the path taken when the places are free: a request that met a held place
 * (a PutItem of a place) is made again, up to 6 times, each with what `make` gives for its attempt.
 */
async function countedWithFreePlaces<T>(make: (attempt: number) => Promise<T>): Promise<{ result: T; calls: Call[] }> {
  for (let attempt = 0; ; attempt++) {
    const made = await counted(() => make(attempt));
    const metHeldPlace = made.calls.some((call) => call.command === 'PutItemCommand');
    if (!metHeldPlace || attempt === 5) return made;
  }
}

/** A booking as a voice agent that knows the job type sends it; `seed` varies the phone and street. */
const voiceBooking = (name: string, seed: number) => ({
  customer: { name, phone: `512555${String((Date.now() + seed) % 10_000).padStart(4, '0')}` },
  address: { line1: `${(Date.now() + seed) % 1000} Key St`, city: 'Austin', region: 'TX', postalCode: '78701' },
  jobTypeId: 'plumbing-drain-clog',
  channel: 'voice',
});

describe('POST /v1/bookings: the route\u2019s own DynamoDB calls (issue 19)', () => {
  it('a new booking takes at most 5 calls: configuration, job type and claims in one read, reservation, need and booking in one transaction, the answer stored as the places are given back, no read of the booking after the run', async () => {
    const tenant = await createTestTenant();
    // What a voice agent sends when it knows the job type (as bench/booking.ts books).
    const bodyOf = (attempt: number) => ({
      customer: { name: 'Rhea Route', phone: `512555${String((Date.now() + attempt) % 10_000).padStart(4, '0')}` },
      address: { line1: `${(Date.now() + attempt) % 1000} Count St`, city: 'Austin', region: 'TX', postalCode: '78701' },
      jobTypeId: 'plumbing-drain-clog',
      channel: 'voice',
      attribution: { source: 'test' },
    });
    let body = bodyOf(0);
    let key = '';
    const made = await countedWithFreePlaces((attempt) => {
      body = bodyOf(attempt);
      key = `route-calls-${ulid()}`;
      return post(tenant, key, body);
    });
    expect(made.result.status, JSON.stringify(made.result.body)).toBe(201);
    const commands = byCommand(made.calls);
    const summary = JSON.stringify(commands);

    // The configuration, the job type and the caller's phone claim: one BatchGetItem naming them, no GetItem of any.
    const tenantPartition = `T#${tenant.tenantId}`;
    const phonePartition = `T#${tenant.tenantId}#PHONE#+1${body.customer.phone}`;
    expect(
      made.calls.filter((call) => call.command === 'BatchGetItemCommand' && call.pks.join() === [tenantPartition, tenantPartition, phonePartition].join()),
      summary,
    ).toHaveLength(1);
    expect(
      made.calls.filter((call) => call.command === 'GetItemCommand' && call.pks.includes(phonePartition)),
      summary,
    ).toEqual([]);
    expect(
      made.calls.filter((call) => call.command === 'GetItemCommand' && call.pks.includes(tenantPartition)),
      summary,
    ).toEqual([]);
    // The first writes of the booking: one transaction; the reservation and need claims are not Puts of their own.
    expect(commands.TransactWriteItems, summary).toBe(3); // admission in, the booking's first writes, the answer stored with admission out
    // The reservation's answer is not a write of its own.
    expect(commands.UpdateItem ?? 0, summary).toBe(0);
    // The admission places: one transaction to take both, one to give both back; no Put or Delete of one.
    expect(commands.PutItem ?? 0, summary).toBe(0);
    expect(commands.DeleteItem ?? 0, summary).toBe(0);
    // The route never reads the reservation, a need claim, or the booking (the run's output is its answer).
    expect(
      made.calls.filter((call) => call.command === 'GetItemCommand' && call.pks.some((pk) => /#(IDEMPOTENCY|NEED#)/.test(pk))),
      summary,
    ).toEqual([]);
    expect(
      made.calls.filter((call) => call.command === 'GetItemCommand' && call.pks.some((pk) => pk.includes('#BOOKING#'))),
      summary,
    ).toEqual([]);
    expect(made.calls.length, summary).toBeLessThanOrEqual(5);
    // The places were given back (the transaction that stored the answer deleted them).
    expect(await queryPartition(admissionKeys.tenantPartition(tenant.tenantId, 'CreateBooking'), { consistent: true })).toEqual([]);

    // The next booking with the same key: the key, found live by this instance a moment ago, is not
    // read again; the admission places' transaction holds only while it is live (checked there).
    const next = await countedWithFreePlaces(() => post(tenant, `route-calls-${ulid()}`, { ...body, allowDuplicate: true }));
    expect(next.result.status, JSON.stringify(next.result.body)).toBe(201);
    const nextSummary = JSON.stringify(byCommand(next.calls));
    expect(
      next.calls.filter((call) => call.pks.some((pk) => pk.startsWith('APIKEY#'))),
      nextSummary,
    ).toEqual([]);
    expect(next.calls.length, nextSummary).toBeLessThanOrEqual(4);

    // The replay gets the first answer, and books nothing new.
    const replayed = await countedWithFreePlaces(() => post(tenant, key, body));
    expect(replayed.result).toEqual(made.result);
    const replay = JSON.stringify(byCommand(replayed.calls));
    expect(byCommand(replayed.calls).UpdateItem ?? 0, replay).toBe(0);
    // The transaction's cancellation says the key is taken: the reservation is read, not written again.
    expect(byCommand(replayed.calls).PutItem ?? 0, replay).toBe(0); // the admission places: one transaction
    // Admission in, the configuration read, the refused transaction, the reservation read, admission out (the key, known live here, is not read).
    expect(replayed.calls.length, replay).toBeLessThanOrEqual(5);
  });

  it('a key revoked after this instance found it live is refused (401) at the first write: nothing booked, and a bad body is 401 too, not 400', async () => {
    const tenant = await createTestTenant();
    const body = voiceBooking('Rex Revoked', 7);
    // Found live: this instance keeps it (admin/key-store.ts).
    expect((await post(tenant, `revoke-${ulid()}`, body)).status).toBe(201);
    const key = await findApiKey(tenant.apiKey);
    expect(await revokeApiKey(tenant.tenantId, key!.keyId)).toMatchObject({ revoked: true });

    const key2 = `revoke-${ulid()}`;
    const refused = await counted(() => post(tenant, key2, { ...body, customer: { ...body.customer, name: 'Rex Again' } }));
    expect(refused.result.status, JSON.stringify(refused.result.body)).toBe(401);
    expect(refused.result.body.error.code).toBe('unauthorized');
    // Nothing was written: no reservation, no admission place kept, no second booking.
    expect(await getReservation(tenant.tenantId, key2)).toBeUndefined();
    expect(await queryPartition(admissionKeys.tenantPartition(tenant.tenantId, 'CreateBooking'), { consistent: true })).toEqual([]);
    expect(await tenantBookings(tenant.tenantId)).toHaveLength(1);
    // And every later request reads the key again: still 401, whatever the body.
    expect((await post(tenant, `revoke-${ulid()}`, body)).status).toBe(401);
    expect((await post(tenant, `revoke-${ulid()}`, { nonsense: true })).status).toBe(401);
  });

  it('a key revoked while this instance still holds it live: a body the route refuses is still 401, never 400', async () => {
    const tenant = await createTestTenant();
    const body = voiceBooking('Bea Bad', 11);
    expect((await post(tenant, `bad-${ulid()}`, body)).status).toBe(201);
    const key = await findApiKey(tenant.apiKey);
    // Revoked elsewhere: this instance still holds the key as live (nothing here read it since).
    await revokeApiKey(tenant.tenantId, key!.keyId);
    expect((await post(tenant, `bad-${ulid()}`, { nonsense: true })).status).toBe(401);
  });
});
