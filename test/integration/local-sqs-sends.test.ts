/**
 * The local SQS server tells the pollers when a message is stored (local/sqs.ts `nextSend`): the
 * pollers wait on it between receives, so a message is received when it is sent, as SQS answers a
 * long poll, instead of when the server's long poll ends (it answers one only when the batch is full
 * or the wait is over). A queue's waiter settles on a send to that queue, not on another's.
 */
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSqs, startSqs } from '../../local/sqs';

let sqs: LocalSqs;
let client: SQSClient;
beforeAll(async () => {
  sqs = await startSqs();
  client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  client.destroy();
  await sqs.stop();
});

/** Whether `promise` has settled by now (every callback already due has run). */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

// Far longer than any test: a waiter settles here only by a send or wakeAll.
const NEVER_MS = 600_000;

describe('the local SQS server announces sends', () => {
  it('a waiter for a queue settles when a message is stored in that queue, not in another queue', async () => {
    const notify = sqs.nextSend('notify', NEVER_MS);
    await client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl('crm-sync'), MessageBody: '{"other":"queue"}' }));
    expect(await settled(notify.sent)).toBe(false);
    await client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl('notify'), MessageBody: '{"to":"notify"}' }));
    expect(await settled(notify.sent)).toBe(true);
  });

  it('a batch sent wakes its queue too; a cancelled waiter and wakeAll settle without a send', async () => {
    const batch = sqs.nextSend('crm-sync', NEVER_MS);
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: sqs.queueUrl('crm-sync'),
        Entries: [
          { Id: '1', MessageBody: '{"n":1}' },
          { Id: '2', MessageBody: '{"n":2}' },
        ],
      }),
    );
    expect(await settled(batch.sent)).toBe(true);

    const cancelled = sqs.nextSend('notify', NEVER_MS);
    cancelled.cancel();
    expect(await settled(cancelled.sent)).toBe(true);

    const stopping = [sqs.nextSend('notify', NEVER_MS), sqs.nextSend('crm-sync', NEVER_MS)];
    sqs.wakeAll();
    expect(await Promise.all(stopping.map((w) => settled(w.sent)))).toEqual([true, true]);
  });
});
