/**
 * Issue 19 item 1: the bookings route's own DynamoDB calls. The route's handler runs in this process
 * (the workflow's nodes run in the local system's Lambdas, so only the route's calls are counted
 * here, by the middleware of test/integration/dynamo-calls.ts). Pinned, so that a call taken out
 * does not come back unnoticed:
 * - the tenant configuration and the job type are one BatchGetItem (not two GetItems);
 * - a new request's reservation, need claims and booking record are one TransactWriteItems (not a
 *   Put, two Puts and a transaction);
 * - the booking is not read after the run: a committed run's output carries it as CommitSlot's write
 *   left it (state-machines/booking.asl.json, Answer);
 * - the admission places (tenant and total) are taken in one transaction and given back in one;
 * - at most 6 calls in all for a new booking: the API key (1), admission places taken and given back
 *   (1 + 1), configuration and job type (1), the one transaction (1), the stored answer (1). Was 13,
 *   then 9.
 * And the replay still gets the first answer, in at most 6 calls (the transaction's cancellation names
 * the reservation as what was taken: it is read, not written again). Counts only, no timing.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/booking/create-booking.handler';
import { type Call, counted } from './dynamo-calls';
import { createTestTenant, type TestTenant } from './helpers';

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

describe('POST /v1/bookings: the route\u2019s own DynamoDB calls (issue 19)', () => {
  it('a new booking takes at most 6 calls: configuration and job type in one read, reservation, need and booking in one transaction, no read of the booking after the run', async () => {
    const tenant = await createTestTenant();
    // What a voice agent sends when it knows the job type (as bench/booking.ts books).
    const body = {
      customer: { name: 'Rhea Route', phone: `512555${String(Date.now() % 10_000).padStart(4, '0')}` },
      address: { line1: `${Date.now() % 1000} Count St`, city: 'Austin', region: 'TX', postalCode: '78701' },
      jobTypeId: 'plumbing-drain-clog',
      channel: 'voice',
      attribution: { source: 'test' },
    };
    const key = `route-calls-${ulid()}`;
    const made = await counted(() => post(tenant, key, body));
    expect(made.result.status, JSON.stringify(made.result.body)).toBe(201);
    const commands = byCommand(made.calls);
    const summary = JSON.stringify(commands);

    // The configuration and the job type: one BatchGetItem naming both, no GetItem of either.
    const tenantPartition = `T#${tenant.tenantId}`;
    expect(
      made.calls.filter((call) => call.command === 'BatchGetItemCommand' && call.pks.every((pk) => pk === tenantPartition)),
      summary,
    ).toHaveLength(1);
    expect(
      made.calls.filter((call) => call.command === 'GetItemCommand' && call.pks.includes(tenantPartition)),
      summary,
    ).toEqual([]);
    // The first writes of the booking: one transaction; the reservation and need claims are not Puts of their own.
    expect(commands.TransactWriteItems, summary).toBe(3); // admission in, the booking's first writes, admission out
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
    expect(made.calls.length, summary).toBeLessThanOrEqual(6);

    // The replay gets the first answer, and books nothing new.
    const replayed = await counted(() => post(tenant, key, body));
    expect(replayed.result).toEqual(made.result);
    const replay = JSON.stringify(byCommand(replayed.calls));
    expect(byCommand(replayed.calls).UpdateItem ?? 0, replay).toBe(0);
    // The transaction's cancellation says the key is taken: the reservation is read, not written again.
    expect(byCommand(replayed.calls).PutItem ?? 0, replay).toBe(0); // the admission places: one transaction
    expect(replayed.calls.length, replay).toBeLessThanOrEqual(6);
  });
});
