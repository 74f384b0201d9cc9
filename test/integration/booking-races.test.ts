/**
 * Changes racing each other on one booking (issue 12, item 5): cancel, reschedule, confirm, accept
 * and dismiss fired concurrently in random interleavings (fast-check, fixed seed). Each answer is a
 * 200 or a clean 409, and the booking ends with exactly the claims its final state implies, read
 * from DynamoDB Local: a cancelled or dismissed booking owns no slot, counter or hold; a live one
 * owns exactly its hold's items, BOOKED, and no other hold of it is live.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cancelBooking, rescheduleBooking } from '../../functions/booking/changes';
import { documentClient } from '../../functions/shared/clients';
import type { ApiError } from '../../functions/shared/errors';
import { capacityKeys } from '../../functions/capacity/store';
import { bookingRequest, createTestTenant, itemsByKeys, itemsWithPrefix, nextWeekday, storedClaims, waitForTrail, type TestTenant } from './helpers';

type Start = 'confirmed' | 'pending_approval' | 'pending_confirmation';
type Op = { kind: 'cancel' } | { kind: 'reschedule'; start: string } | { kind: 'confirm' } | { kind: 'accept' } | { kind: 'dismiss' };

const WINDOWS = ['08:00', '10:00', '12:00', '14:00'];

async function tenantFor(start: Start): Promise<TestTenant> {
  if (start === 'pending_approval') return createTestTenant({ sourceSettings: { google_ads: { requiresAcceptance: true } } });
  if (start === 'confirmed') return createTestTenant();
  const tenant = await createTestTenant({ scheduleSource: { mode: 'external', staleAfterMinutes: 60 } });
  const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
  expect((await tenant.call('POST', '/v1/schedule/sync', { syncedAt: twoHoursAgo, jobs: [] })).status).toBe(200);
  return tenant;
}

/** Books and waits until the workflow has settled the booking (a loaded machine may answer 202 first). */
async function book(tenant: TestTenant, body: Record<string, unknown>): Promise<{ bookingId: string; status: string }> {
  const response = await tenant.call('POST', '/v1/bookings', body);
  expect([201, 202], JSON.stringify(response.body)).toContain(response.status);
  const deadline = Date.now() + 60_000;
  for (let booking = response.body; ; ) {
    if (booking.status !== 'received') return booking;
    if (Date.now() > deadline) throw new Error(`Booking ${booking.bookingId} never settled`);
    await new Promise((r) => setTimeout(r, 200));
    booking = (await tenant.call('GET', `/v1/bookings/${response.body.bookingId}`)).body;
  }
}

function send(tenant: TestTenant, bookingId: string, date: string, op: Op) {
  const path = `/v1/bookings/${bookingId}`;
  switch (op.kind) {
    case 'cancel':
      return tenant.call('POST', `${path}/cancel`, { reason: 'race test' });
    case 'reschedule':
      return tenant.call('POST', `${path}/reschedule`, { window: { date, start: op.start }, reason: 'race test' });
    case 'confirm':
      return tenant.call('POST', `${path}/confirm`);
    case 'accept':
      return tenant.call('POST', `${path}/accept`);
    case 'dismiss':
      return tenant.call('POST', `${path}/dismiss`, { reason: 'race test' });
  }
}

/**
 * What DynamoDB holds for the booking: the booking, its claim items and its hold records. The holds
 * are read by key (a Scan of the tenant's `HOLD#` items reads the whole table, and this file looks
 * ~27 times): every hold the booking's items name (its `holdId`, its timeline's) and every hold the
 * tenant's claims are held for. A hold claims its items in the transaction that writes it and gives
 * the last of them back with (or before) the write that marks it released (capacity/store.ts), so a
 * hold a lost race left live still holds a claim and is read here; one it released may not be, and
 * no check looks at those (only at live holds and the booking's own). Checked against the Scan on
 * every round (2026-11-30): the same live holds; only released ones of lost races were not read.
 */
async function storedState(tenant: TestTenant, bookingId: string) {
  const records = await itemsWithPrefix(`T#${tenant.tenantId}#BOOKING#${bookingId}`);
  const booking = records.find((i) => i.sk === 'BOOKING')!;
  const tenantClaims = await storedClaims(tenant.tenantId);
  const claims = tenantClaims.filter((c) => c.bookingId === bookingId);
  const named = [...JSON.stringify(records).matchAll(/"holdId":"([^"]+)"/g)].map((match) => match[1]!);
  const holdIds = new Set([...named, ...tenantClaims.map((c) => c.holdId as string | undefined).filter((id): id is string => Boolean(id))]);
  const holds = (await itemsByKeys([...holdIds].map((holdId) => capacityKeys.hold(tenant.tenantId, holdId)))).filter((h) => h.bookingId === bookingId);
  return { booking, claims, holds };
}

async function expectClaimsOfFinalState(tenant: TestTenant, bookingId: string, story: string): Promise<void> {
  const { booking, claims, holds } = await storedState(tenant, bookingId);
  const liveHolds = holds.filter((h) => h.status !== 'RELEASED');
  if (booking.status === 'cancelled' || booking.status === 'dismissed') {
    expect(
      claims.map((c) => `${c.sk} ${c.status}`),
      `${story}: a ${booking.status} booking owns no capacity`,
    ).toEqual([]);
    expect(
      liveHolds.map((h) => `${h.holdId} ${h.status}`),
      `${story}: and no live hold`,
    ).toEqual([]);
    return;
  }
  const hold = holds.find((h) => h.holdId === booking.holdId);
  expect(hold?.status, `${story}: the ${booking.status} booking's hold is committed`).toBe('BOOKED');
  expect(claims.map((c) => c.sk).sort(), `${story}: it owns exactly its hold's items`).toEqual(hold!.keys.map((k: { sk: string }) => k.sk).sort());
  expect(
    claims.every((c) => c.status === 'BOOKED' && c.holdId === booking.holdId),
    `${story}: all BOOKED for its hold`,
  ).toBe(true);
  expect(
    liveHolds.map((h) => h.holdId),
    `${story}: no other hold of it is live`,
  ).toEqual([booking.holdId]);
  expect(booking.window, `${story}: the booking's window is its hold's`).toMatchObject({
    date: hold!.plan.date,
    start: hold!.plan.start,
    technicianId: hold!.plan.technicianId,
  });
}

const opFor = (start: Start): fc.Arbitrary<Op> =>
  fc.oneof(
    fc.constant<Op>({ kind: 'cancel' }),
    fc.constantFrom(...WINDOWS).map((s): Op => ({ kind: 'reschedule', start: s })),
    ...(start === 'pending_approval' ? [fc.constant<Op>({ kind: 'accept' }), fc.constant<Op>({ kind: 'dismiss' })] : []),
    ...(start === 'pending_confirmation' ? [fc.constant<Op>({ kind: 'confirm' })] : []),
  );

const round = fc
  .constantFrom<Start>('confirmed', 'pending_approval', 'pending_confirmation')
  .chain((start) => fc.record({ start: fc.constant(start), ops: fc.array(opFor(start), { minLength: 2, maxLength: 4 }) }));

describe('concurrent changes of one booking', () => {
  it('cancel racing a reschedule (the interleaving the issue found): the slot it moved to is not left BOOKED', async () => {
    // Cancel reads the booking, then the reschedule moves it, then cancel writes. Run in this process
    // against DynamoDB Local; a middleware on the real client holds cancel's first write until the
    // reschedule has finished (the order is forced, nothing is mocked).
    const tenant = await createTestTenant();
    const date = nextWeekday(3, 3);
    const id = (await book(tenant, bookingRequest({ window: { date, start: '08:00' } }))).bookingId;
    await waitForTrail(id, 90_000);

    let held = false;
    let cancelWaiting!: () => void;
    const cancelAtWrite = new Promise<void>((resolve) => (cancelWaiting = resolve));
    let letCancelWrite!: () => void;
    const gate = new Promise<void>((resolve) => (letCancelWrite = resolve));
    const name = `hold-cancel-${id}`;
    documentClient().middlewareStack.add(
      (next) => async (args) => {
        if (!held && JSON.stringify((args as { input?: unknown }).input ?? {}).includes('race: cancel')) {
          held = true;
          cancelWaiting();
          await gate;
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const cancelling = cancelBooking(tenant.tenantId, id, 'race: cancel', 'test', new Date()).then(
        () => 200,
        (error: ApiError) => (error.statusCode === 409 ? 409 : Promise.reject(error)),
      );
      await cancelAtWrite;
      await rescheduleBooking(tenant.tenantId, id, { window: { date, start: '12:00' } }, 'test', new Date());
      letCancelWrite();
      const cancelStatus = await cancelling;
      await expectClaimsOfFinalState(tenant, id, `reschedule 200, cancel ${cancelStatus}`);
      const { booking, claims } = await storedState(tenant, id);
      if (cancelStatus === 200) expect(booking.status).toBe('cancelled');
      expect(claims.filter((c) => c.start === '12:00' && c.status === 'BOOKED' && booking.status === 'cancelled')).toEqual([]);
    } finally {
      letCancelWrite();
      documentClient().middlewareStack.remove(name);
    }
  }, 300_000);

  it('random interleavings of cancel/reschedule/confirm/accept/dismiss end with exactly the claims the final state implies', async () => {
    // The same 12 generated rounds (`fc.sample` with the seed yields the rounds `fc.assert` played;
    // no shrinking, as `endOnFailure` had it), a few at once: each round has its own tenant, so no round sees another's booking, claims or holds, and
    // a round's own requests still race each other exactly as before. In sequence they were this
    // file's 200 s (mostly waiting on each booking's trail).
    const rounds = fc.sample(round, { seed: 20261129, numRuns: 12 });
    const failures: string[] = [];
    let next = 0;
    const runner = async () => {
      while (next < rounds.length) {
        const index = next++;
        await playRound(index + 1, rounds[index]!).catch((error: Error) => {
          failures.push(`round ${index + 1} of seed 20261129 (${JSON.stringify(rounds[index])}): ${error.message}`);
        });
      }
    };
    await Promise.all(Array.from({ length: ROUNDS_AT_ONCE }, runner));
    expect(failures).toEqual([]);
  }, 300_000);
});

/** Rounds played at once: enough to overlap their waits, few enough for a busy two-core machine. */
const ROUNDS_AT_ONCE = 4;

/** One round: a booking in `start`, then `ops` sent at once; the claims left must be its final state's. */
async function playRound(roundNo: number, { start, ops }: { start: Start; ops: Op[] }): Promise<void> {
  const tenant = await tenantFor(start);
  const date = nextWeekday(2 + (roundNo % 4), 3);
  const booked = await book(tenant, bookingRequest({ window: { date, start: '08:00' } }));
  expect(booked.status).toBe(start);
  const id = booked.bookingId;

  const answers = await Promise.all(ops.map((op) => send(tenant, id, date, op)));
  const story = `round ${roundNo} from ${start}: ${ops.map((op, i) => `${op.kind}${'start' in op ? ` ${op.start}` : ''} -> ${answers[i]!.status}`).join(', ')}`;
  for (const answer of answers) {
    expect([200, 409], `${story}: ${JSON.stringify(answer.body)}`).toContain(answer.status);
    if (answer.status === 409) expect(answer.body.error.message, story).toBeTruthy();
  }
  // A confirm or accept that won starts the job trail, which may itself move the job: let it finish.
  const final = (await storedState(tenant, id)).booking;
  if (start === 'confirmed' || final.status === 'confirmed' || final.status === 'pending_crm_sync') await waitForTrail(id, 90_000);
  await expectClaimsOfFinalState(tenant, id, story);
}
