/**
 * A lost doorbell costs a minute, not fifteen (issue 19): a writer writes a message that is due now
 * already `queued` and rings the notify queue itself (notify/queue-now.ts). When it dies between the
 * write and the ring (a Lambda timeout, a crash), or the ring is lost, the sweeper queues the row
 * again once its first deadline (store.ts FIRST_REQUEUE_AFTER_MS) has passed with no worker taking it,
 * and the customer still gets the text once: the original doorbell turning up late meets the
 * worker's claim (store.ts claimRow). A row lost again and again still fails after MAX_REQUEUES.
 *
 * The crash is laid out with the real code: putLedgerRows with `queuedAt`, as the writer writes it,
 * and no ring. Texts go through a tenant whose SMS provider is the Twilio contract server, so every
 * provider call is counted (the local outbox provider would not show a second call). Sweeps run with
 * a clock ahead of now for every tenant: the file runs alone (file-locks.ts SERIAL_FILES).
 */
import { DeleteMessageCommand, ReceiveMessageCommand, ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queueNow } from '../../functions/notify/queue-now';
import { FIRST_REQUEUE_AFTER_MS, type LedgerMessage, MAX_REQUEUES, notifyKeys, putLedgerRows, REQUEUE_AFTER_MS } from '../../functions/notify/store';
import { sweepDueNotifications } from '../../functions/notify/sweep';
import { sqsClient } from '../../functions/shared/queue-client';
import { getTenant, putTenant } from '../../functions/tenant/store';
import { TwilioContract } from '../contract-servers/twilio';
import { bookingRequest, createTestTenant, partitionItems, setCredential, type TestTenant } from './helpers';
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
  const created = await tenant.call('POST', '/v1/bookings', bookingRequest({ customer: { name: 'Rhea Requeue', phone: `512555${local}` } }));
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

/** The crash: the row written `queued` at `queuedAt` as its writer writes it, and its doorbell never rung. */
async function writtenNeverRung(message: LedgerMessage, queuedAt: Date): Promise<void> {
  const written = await putLedgerRows(
    message.tenantId,
    message.bookingId,
    [{ kind: 'confirmation', channel: 'sms', dueAt: queuedAt.toISOString(), version: message.version }],
    {
      queuedAt,
    },
  );
  expect(written).toEqual([expect.objectContaining({ queued: true })]);
}

async function rowOf(message: LedgerMessage): Promise<Record<string, any>> {
  const key = notifyKeys.ledgerRow(message.tenantId, message.bookingId, message.kind, message.technicianId, message.version);
  return (await partitionItems(key.pk)).find((item) => item.sk === key.sk)!;
}

/** Texts the provider was asked to send to `phone`. */
const textsTo = (phone: string) => twilio.messages.filter((m) => m.to === phone);

const later = (at: Date, ms: number) => new Date(at.getTime() + ms);

/** A doorbell lost with the queue: this row's message taken off the notify queue unsent (any other put back). */
async function loseMessageOf(message: LedgerMessage): Promise<void> {
  const QueueUrl = process.env.NOTIFY_QUEUE_URL!;
  await vi.waitFor(
    async () => {
      const { Messages = [] } = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      let lost = false;
      for (const received of Messages) {
        const body = JSON.parse(received.Body ?? '{}') as LedgerMessage;
        const mine =
          body.tenantId === message.tenantId && body.bookingId === message.bookingId && body.kind === message.kind && body.version === message.version;
        if (mine) lost = true;
        if (mine) await sqsClient().send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.ReceiptHandle }));
        else await sqsClient().send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: received.ReceiptHandle, VisibilityTimeout: 0 }));
      }
      if (!lost) throw new Error('the requeued message is not in the notify queue yet');
    },
    { timeout: 60_000, interval: 100 },
  );
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
    await writtenNeverRung(together, queuedAt);
    await sweepDueNotifications(later(queuedAt, FIRST_REQUEUE_AFTER_MS + 1_000));
    expect(await rowOf(together)).toMatchObject({ status: 'queued', requeues: 1 });
    expect(await queueNow([together], new Date())).toBe(1);
    await drain('notify');
    expect(await rowOf(together)).toMatchObject({ status: 'sent' });
    expect(textsTo(phone).slice(before)).toHaveLength(1);

    // The requeue sent first, the original after it.
    const late = messageOf(tenant, bookingId, 4);
    const lateQueuedAt = new Date();
    await writtenNeverRung(late, lateQueuedAt);
    await sweepDueNotifications(later(lateQueuedAt, FIRST_REQUEUE_AFTER_MS + 1_000));
    await drain('notify');
    expect(await rowOf(late)).toMatchObject({ status: 'sent', requeues: 1 });
    expect(textsTo(phone).slice(before)).toHaveLength(2);
    expect(await queueNow([late], new Date())).toBe(1);
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
