/**
 * A lost doorbell costs a minute, not fifteen (issue 19): a writer writes a message that is due now
 * already `queued` and rings the notify queue itself (notify/queue-now.ts). When it dies between the
 * write and the ring (a Lambda timeout, a crash), or the ring is lost, the sweeper queues the row
 * again once its first deadline (store.ts FIRST_REQUEUE_AFTER_MS) has passed with no worker taking it,
 * and the customer still gets the text once: the original doorbell turning up late meets the
 * worker's claim (store.ts claimRow). A row lost again and again still fails after MAX_REQUEUES.
 * Two sweeps at once (a schedule delivering its tick twice, a tick overrunning the next) both send a
 * due row's message and one marks it: each row still reaches the provider once, whichever message
 * comes first (the worker drops the message of the ring the row does not hold: store.ts howToTake).
 *
 * The crash is laid out with the real code: putLedgerRows with `queuedAt`, as the writer writes it,
 * and no ring. Texts go through a tenant whose SMS provider is the Twilio contract server, so every
 * provider call is counted (the local outbox provider would not show a second call). Sweeps run with
 * a clock ahead of now for every tenant: the file runs alone (file-locks.ts SERIAL_FILES).
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queueNow } from '../../functions/notify/queue-now';
import {
  claimRow,
  duePartition,
  FIRST_REQUEUE_AFTER_MS,
  howToTake,
  type LedgerMessage,
  listDuePage,
  markQueued,
  MAX_REQUEUES,
  newRing,
  notifyKeys,
  putLedgerRows,
  REQUEUE_AFTER_MS,
  settleRow,
} from '../../functions/notify/store';
import { queueBatch, sweepDueNotifications } from '../../functions/notify/sweep';
import { sqsClient } from '../../functions/shared/queue-client';
import { getTenant, putTenant } from '../../functions/tenant/store';
import { TwilioContract } from '../contract-servers/twilio';
import { bookingRequest, createTestTenant, nextWeekday, partitionItems, setCredential, type TestTenant } from './helpers';
import { drain } from './lifecycle-helpers';

const twilio = new TwilioContract();
const tenantsHere: string[] = [];

beforeAll(async () => {
  await twilio.start();
});
afterAll(async () => {
  // Rows other files sweep later go back to the local outbox, not to a stopped contract server.
  for (const tenantId of tenantsHere) {
    const tenant = await getTenant(tenantId);
    if (tenant) await putTenant({ ...tenant, messaging: { ...tenant.messaging, sms: { provider: 'outbox' } } });
  }
  await twilio.stop();
});

/** A tenant whose texts go through the Twilio contract server, with a booking confirmed and its own texts sent. */
async function bookedWithTwilio(): Promise<{ tenant: TestTenant; bookingId: string; phone: string }> {
  const tenant = await createTestTenant({
    messaging: {
      sms: { provider: 'twilio', accountSid: twilio.accountSid, from: '+15125550100', baseUrl: twilio.url },
      email: { provider: 'outbox' },
      templates: {},
    },
  } as never);
  tenantsHere.push(tenant.tenantId);
  await setCredential(tenant, 'sms', { provider: 'twilio', authToken: twilio.authToken });
  const local = String(1000 + Math.floor(Math.random() * 8999));
  // Days ahead: the tests sweep up to ~50 minutes into the future, and a booking for today (the first
  // open window, early in the morning) has its day-of reminder fall due inside them (a text they did not send).
  const window = { date: nextWeekday(3), start: '10:00' };
  const created = await tenant.call('POST', '/v1/bookings', bookingRequest({ window, customer: { name: 'Rhea Requeue', phone: `512555${local}` } }));
  expect([201, 202], JSON.stringify(created.body)).toContain(created.status);
  const bookingId = created.body.bookingId as string;
  await expect.poll(async () => (await tenant.call('GET', `/v1/bookings/${bookingId}`)).body.status, { timeout: 60_000, interval: 500 }).toBe('confirmed');
  // The booking's own confirmation (rung at booking) sent: what follows counts only this test's texts.
  await drain('notify');
  return { tenant, bookingId, phone: `+1512555${local}` };
}

/** The message of a confirmation row of its own version (the booking's own confirmation is version 1). */
const messageOf = (tenant: TestTenant, bookingId: string, version: number): LedgerMessage => ({
  tenantId: tenant.tenantId,
  bookingId,
  kind: 'confirmation',
  version,
});

/**
 * The crash: the row written `queued` at `queuedAt` as its writer writes it, and its doorbell never
 * rung. Answers the message the writer would have rung (with the row's ring): the late original.
 */
async function writtenNeverRung(message: LedgerMessage, queuedAt: Date): Promise<LedgerMessage> {
  const written = await putLedgerRows(
    message.tenantId,
    message.bookingId,
    [{ kind: 'confirmation', channel: 'sms', dueAt: queuedAt.toISOString(), version: message.version }],
    {
      queuedAt,
    },
  );
  expect(written).toEqual([expect.objectContaining({ queued: true, ring: expect.any(String) })]);
  return { ...message, ring: written[0]!.ring };
}

async function rowOf(message: LedgerMessage): Promise<Record<string, any>> {
  const key = notifyKeys.ledgerRow(message.tenantId, message.bookingId, message.kind, message.technicianId, message.version);
  return (await partitionItems(key.pk)).find((item) => item.sk === key.sk)!;
}

/** Texts the provider was asked to send to `phone`. */
const textsTo = (phone: string) => twilio.messages.filter((m) => m.to === phone);

const later = (at: Date, ms: number) => new Date(at.getTime() + ms);

/**
 * Takes `count` messages of this row off the notify queue (any other message put back) and answers
 * their bodies: a doorbell lost with the queue, or messages held to be handed to the worker in an order.
 */
async function takeOffQueue(message: LedgerMessage, count: number): Promise<LedgerMessage[]> {
  const QueueUrl = process.env.NOTIFY_QUEUE_URL!;
  const taken: LedgerMessage[] = [];
  await vi.waitFor(
    async () => {
      const { Messages = [] } = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const received of Messages) {
        const body = JSON.parse(received.Body ?? '{}') as LedgerMessage;
        const mine =
          body.tenantId === message.tenantId && body.bookingId === message.bookingId && body.kind === message.kind && body.version === message.version;
        if (mine) taken.push(body);
        if (mine) await sqsClient().send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.ReceiptHandle }));
        else await sqsClient().send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: received.ReceiptHandle, VisibilityTimeout: 0 }));
      }
      if (taken.length < count) throw new Error(`${taken.length} of the row's ${count} messages taken off the notify queue so far`);
    },
    { timeout: 60_000, interval: 100 },
  );
  expect(taken).toHaveLength(count);
  return taken;
}

/** A doorbell lost with the queue: this row's message taken off the notify queue unsent. */
async function loseMessageOf(message: LedgerMessage): Promise<void> {
  await takeOffQueue(message, 1);
}

/** Hands one message to the notify queue as a sweep or writer would, and lets the worker take it. */
async function deliver(body: LedgerMessage): Promise<void> {
  await sqsClient().send(new SendMessageCommand({ QueueUrl: process.env.NOTIFY_QUEUE_URL!, MessageBody: JSON.stringify(body) }));
  await drain('notify');
}

/** These rows as a sweep at `at` lists them from their due-index partition (store.ts listDuePage). */
async function listedBySweep(messages: LedgerMessage[], at: Date): Promise<LedgerMessage[]> {
  const listed: LedgerMessage[] = [];
  let next: Record<string, unknown> | undefined;
  do {
    const page = await listDuePage(duePartition(messages[0]!.tenantId), at, 500, next);
    listed.push(...page.rows.filter((row) => messages.some((m) => m.bookingId === row.bookingId && m.kind === row.kind && m.version === row.version)));
    next = page.next;
  } while (next);
  expect(listed).toHaveLength(messages.length);
  return messages.map((m) => listed.find((row) => row.version === m.version)!);
}

/** Rows queued once, with their messages in the queue: the queue drained, each is sent and texted once. */
async function drainedOncePerRow(rows: LedgerMessage[], phone: string, before: number): Promise<void> {
  for (const row of rows) expect(await rowOf(row)).toMatchObject({ status: 'queued', requeues: 0 });
  await drain('notify');
  for (const row of rows) expect(await rowOf(row)).toMatchObject({ status: 'sent' });
  expect(textsTo(phone).slice(before)).toHaveLength(rows.length);
}

/** Rows of this booking written pending and due now, for the sweeper (no writer rang them). */
async function pendingDue(tenant: TestTenant, bookingId: string, versions: number[]): Promise<LedgerMessage[]> {
  const dueAt = new Date(Date.now() - 1_000).toISOString();
  const written = await putLedgerRows(
    tenant.tenantId,
    bookingId,
    versions.map((version) => ({ kind: 'confirmation' as const, channel: 'sms' as const, dueAt, version })),
  );
  expect(written).toHaveLength(versions.length);
  return versions.map((version) => messageOf(tenant, bookingId, version));
}

describe('a lost doorbell is recovered by the next sweeps, and sent once', { timeout: 300_000 }, () => {
  it('a row written queued whose writer died before the ring is sent after the sweep just past its first deadline, not before', async () => {
    const { tenant, bookingId, phone } = await bookedWithTwilio();
    const message = messageOf(tenant, bookingId, 2);
    const queuedAt = new Date();
    await writtenNeverRung(message, queuedAt);
    const before = textsTo(phone).length;

    // Not before the deadline: a message still on its way is not queued twice.
    await sweepDueNotifications(later(queuedAt, FIRST_REQUEUE_AFTER_MS - 1_000));
    await drain('notify');
    expect(await rowOf(message)).toMatchObject({ status: 'queued', requeues: 0 });
    expect(textsTo(phone)).toHaveLength(before);

    // The first tick past it: queued again and sent (minutes before the 15 of a message in flight).
    expect(FIRST_REQUEUE_AFTER_MS).toBeLessThan(REQUEUE_AFTER_MS);
    await sweepDueNotifications(later(queuedAt, FIRST_REQUEUE_AFTER_MS + 1_000));
    await drain('notify');
    expect(await rowOf(message)).toMatchObject({ status: 'sent', requeues: 1 });
    const sent = textsTo(phone).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toContain('Rhea');
  });

  it('the original doorbell turning up after the requeue sends nothing again: with the requeue in the queue, or after it was sent', async () => {
    const { tenant, bookingId, phone } = await bookedWithTwilio();
    const before = textsTo(phone).length;

    // Both messages in the queue at once (the worker takes them in one batch, in parallel).
    const together = messageOf(tenant, bookingId, 3);
    const queuedAt = new Date();
    const togetherOriginal = await writtenNeverRung(together, queuedAt);
    await sweepDueNotifications(later(queuedAt, FIRST_REQUEUE_AFTER_MS + 1_000));
    expect(await rowOf(together)).toMatchObject({ status: 'queued', requeues: 1 });
    expect(await queueNow([togetherOriginal], new Date())).toBe(1);
    await drain('notify');
    expect(await rowOf(together)).toMatchObject({ status: 'sent' });
    expect(textsTo(phone).slice(before)).toHaveLength(1);

    // The requeue sent first, the original after it.
    const late = messageOf(tenant, bookingId, 4);
    const lateQueuedAt = new Date();
    const lateOriginal = await writtenNeverRung(late, lateQueuedAt);
    await sweepDueNotifications(later(lateQueuedAt, FIRST_REQUEUE_AFTER_MS + 1_000));
    await drain('notify');
    expect(await rowOf(late)).toMatchObject({ status: 'sent', requeues: 1 });
    expect(textsTo(phone).slice(before)).toHaveLength(2);
    expect(await queueNow([lateOriginal], new Date())).toBe(1);
    await drain('notify');
    expect(textsTo(phone).slice(before)).toHaveLength(2);
    expect(await rowOf(late)).toMatchObject({ status: 'sent' });
  });

  it(`a row whose message is lost every time fails after ${MAX_REQUEUES} requeues, with the reason, as before`, async () => {
    const { tenant, bookingId, phone } = await bookedWithTwilio();
    const message = messageOf(tenant, bookingId, 5);
    const queuedAt = new Date();
    await writtenNeverRung(message, queuedAt);
    const before = textsTo(phone).length;

    // The first requeue a minute on, then every 15 minutes: each message lost.
    let clock = later(queuedAt, FIRST_REQUEUE_AFTER_MS + 1_000);
    for (let requeue = 1; requeue <= MAX_REQUEUES; requeue++) {
      await sweepDueNotifications(clock);
      expect(await rowOf(message)).toMatchObject({ status: 'queued', requeues: requeue });
      await loseMessageOf(message);
      // Not again before its 15 minutes.
      await sweepDueNotifications(later(clock, REQUEUE_AFTER_MS - 1_000));
      expect(await rowOf(message)).toMatchObject({ status: 'queued', requeues: requeue });
      clock = later(clock, REQUEUE_AFTER_MS + 1_000);
    }
    await sweepDueNotifications(clock);
    expect(await rowOf(message)).toMatchObject({
      status: 'failed',
      statusReason: `queued ${MAX_REQUEUES + 1} times without being sent (message lost)`,
    });
    expect((await rowOf(message)).duePk).toBeUndefined();
    await drain('notify');
    expect(textsTo(phone)).toHaveLength(before);
  });
});

describe('two sweeps at once (a schedule delivering its tick twice, or a tick overrunning the next) text each customer once', { timeout: 300_000 }, () => {
  it('two sweeps that listed the same due rows both queue them; with both messages of each row in the queue at once, each row reaches the provider once', async () => {
    const { tenant, bookingId, phone } = await bookedWithTwilio();
    const rows = await pendingDue(tenant, bookingId, [6, 7, 8]);
    const before = textsTo(phone).length;

    // Both sweeps listed the rows before either marked them (send first, then mark): each sends every
    // row's message with its ring, and one mark wins per row.
    const at = new Date();
    const listed = await listedBySweep(rows, at);
    const [a, b] = await Promise.all([queueBatch(listed, at, newRing()), queueBatch(listed, at, newRing())]);
    expect(a.map((won, index) => won !== b[index])).toEqual(rows.map(() => true));
    await drainedOncePerRow(rows, phone, before);
  });

  it('two whole sweeps run at once (the scheduler’s tick delivered twice): each due row reaches the provider once', async () => {
    const { tenant, bookingId, phone } = await bookedWithTwilio();
    const rows = await pendingDue(tenant, bookingId, [13, 14, 15]);
    const before = textsTo(phone).length;

    const at = new Date();
    await Promise.all([sweepDueNotifications(at), sweepDueNotifications(at)]);
    await drainedOncePerRow(rows, phone, before);
  });

  it("the losing sweep's message arriving first sends nothing and the winner's still sends; the winner's first, the loser's after it, sends nothing again", async () => {
    const { tenant, bookingId, phone } = await bookedWithTwilio();
    const [loserFirst, winnerFirst] = await pendingDue(tenant, bookingId, [9, 10]);
    const before = textsTo(phone).length;
    const at = new Date();
    // Both sweeps listed the rows before either marked them (as two sweeps at once may): each sends
    // every row's message with its ring, and one mark wins per row.
    const listed = await listedBySweep([loserFirst!, winnerFirst!], at);
    const [a, b] = await Promise.all([queueBatch(listed, at, newRing()), queueBatch(listed, at, newRing())]);
    expect(a.map((won, index) => won !== b[index])).toEqual([true, true]);

    /** The row's two messages: the one of the sweep whose mark won (the row's ring) and the other. */
    const heldOff = async (message: LedgerMessage) => {
      const both = await takeOffQueue(message, 2);
      const { ring } = await rowOf(message);
      const winner = both.filter((body) => body.ring === ring);
      expect(winner).toHaveLength(1);
      return { winner: winner[0]!, loser: both.find((body) => body.ring !== ring)! };
    };

    // Both rows' messages held, so that a drain hands the worker only the one delivered.
    const first = await heldOff(loserFirst);
    const second = await heldOff(winnerFirst);
    await deliver(first.loser);
    // Dropped: nothing written (no claim), nothing sent.
    expect(await rowOf(loserFirst)).toMatchObject({ status: 'queued', ring: first.winner.ring });
    expect((await rowOf(loserFirst)).takenBy).toBeUndefined();
    expect(textsTo(phone)).toHaveLength(before);
    await deliver(first.winner);
    expect(await rowOf(loserFirst)).toMatchObject({ status: 'sent' });
    expect(textsTo(phone).slice(before)).toHaveLength(1);

    await deliver(second.winner);
    expect(await rowOf(winnerFirst)).toMatchObject({ status: 'sent' });
    expect(textsTo(phone).slice(before)).toHaveLength(2);
    await deliver(second.loser);
    expect(textsTo(phone).slice(before)).toHaveLength(2);
  });

  it("a message that read the row pending, before the other sweep's mark, cannot take it after that mark; one that took it first keeps it", async () => {
    const { tenant, bookingId } = await bookedWithTwilio();
    const [raced, tookFirst] = await pendingDue(tenant, bookingId, [11, 12]);
    const at = new Date();
    const readPending = { status: 'pending' as const, dueAt: at.toISOString() };

    // Sweep A marked the row after sweep B's message read it pending: B's claim fails, A's message sends alone.
    expect(await markQueued(raced, at, 'ring-a')).toBe(true);
    expect(await claimRow({ ...raced, ring: 'ring-b' }, readPending, 'message-b', new Date())).toBe(false);
    expect((await rowOf(raced)).takenBy).toBeUndefined();

    // B's message took the row while it was pending: A's mark still queues it, and A's message cannot take it.
    expect(await claimRow({ ...tookFirst, ring: 'ring-b' }, readPending, 'message-b', new Date())).toBe(true);
    expect(await markQueued(tookFirst, at, 'ring-a')).toBe(true);
    const standing = { status: 'queued' as const, requeues: 0, dueAt: (await rowOf(tookFirst)).dueAt, ring: 'ring-a', takenBy: 'message-b' };
    expect(howToTake(standing, 'ring-a', new Date())).toBe('claim');
    expect(await claimRow({ ...tookFirst, ring: 'ring-a' }, standing, 'message-a', new Date())).toBe(false);
    expect(await rowOf(tookFirst)).toMatchObject({ status: 'queued', takenBy: 'message-b' });
    // Both settled by the test's end: nothing of them for another file's sweep.
    await Promise.all([raced, tookFirst].map((row) => settleRow(row, 'suppressed', 'test: claims only', new Date())));
  });
});
