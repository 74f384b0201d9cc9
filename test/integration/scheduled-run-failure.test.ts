/**
 * Issue 19 item 4: a scheduled function that fails is signalled by the alarmed async-targets DLQ, not
 * by one Errors alarm per function. In AWS, Scheduler invokes the function asynchronously and Lambda's
 * on-failure destination sends the failed run there after its retries (lib/schedules.ts); the local
 * ticker runs a schedule the same way (local/ticker.ts runSchedule).
 */
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SCHEDULED_RUN_RETRIES, schedules } from '../../functions/registry';
import { sqsClient } from '../../functions/shared/queue-client';
import { ASYNC_TARGETS_DLQ_URL_ENV, runSchedule } from '../../local/ticker';

interface FailureRecord {
  requestContext: { functionArn: string; condition: string; approximateInvokeCount: number };
  requestPayload: { source: string; time: string; resources: string[] };
  responsePayload: { errorType: string; errorMessage: string };
}

describe('a scheduled run that fails lands in the async-targets DLQ (no Errors alarm per function)', () => {
  it('the recovery sweep without its grants fails its retries and its on-failure record names the function and the schedule', async () => {
    const schedule = schedules.find((s) => s.lambda === 'RecoverySweep')!;
    // A time no other run uses: the record is found by its event.
    const at = new Date(Date.UTC(2001, 0, 1, 0, 0, Math.floor(Math.random() * 86_400)));
    // Without its grants the sweep's first DynamoDB call is refused, as IAM would refuse it in AWS.
    await expect(runSchedule(schedule, at, { grants: [] })).resolves.toBe(false);

    const queueUrl = process.env[ASYNC_TARGETS_DLQ_URL_ENV]!;
    expect(queueUrl).toBeTruthy();
    let found: FailureRecord | undefined;
    await expect
      .poll(
        async () => {
          const { Messages = [] } = await sqsClient().send(
            new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 1 }),
          );
          for (const message of Messages) {
            const record = JSON.parse(message.Body!) as FailureRecord;
            if (record.requestPayload?.time !== at.toISOString()) continue;
            found = record;
            await sqsClient().send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
          }
          return found;
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBeDefined();
    expect(found).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 1 + SCHEDULED_RUN_RETRIES },
      requestPayload: { source: 'aws.scheduler', resources: [expect.stringContaining(`schedule/default/jobrelay-${schedule.name}`)] },
    });
    expect(found!.requestContext.functionArn).toContain(`function:jobrelay-${schedule.lambda}`);
    expect(found!.responsePayload.errorMessage).toMatch(/not authorized|AccessDenied/i);
  });
});
