/**
 * The SQS server (local-aws-sqs, SQS JSON protocol) with every work queue and its DLQ, configured
 * from functions/registry.ts exactly as the CDK stack configures them (redrive to DLQ after 5).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createSqsServer } from 'local-aws-sqs';
import { deadLetterPolicy, queues, type QueueSpec } from '../functions/registry';
import { freePort } from './ports';

export const LOCAL_ACCOUNT = '000000000000';

export interface LocalSqs {
  endpoint: string;
  queueUrl(name: QueueSpec['name']): string;
  dlqUrl(name: QueueSpec['name']): string;
  /** The async-targets dead-letter queue (lib/queues.ts): schedules' and rules' undeliverable events, scheduled runs that failed. */
  asyncTargetsDlqUrl: string;
  /**
   * Settles when the server has stored a message sent to work queue `name` (SendMessage or
   * SendMessageBatch), or after `ms`, or on `wakeAll`; `cancel` forgets it. The pollers wait on it
   * between receives instead of long-polling (local/pollers.ts).
   */
  nextSend(name: QueueSpec['name'], ms: number): { sent: Promise<void>; cancel(): void };
  /** Settles every `nextSend` now (the pollers stopping). */
  wakeAll(): void;
  stop(): Promise<void>;
}

/** The async-targets dead-letter queue's local name (lib/queues.ts `asyncTargetsDlq`). */
export const ASYNC_TARGETS_DLQ = 'async-targets-dlq';

export function localQueueName(name: string, suffix = ''): string {
  return `jobrelay-${name}${suffix}`;
}

/** A local queue's URL on the SQS server at `endpoint`. */
export function localQueueUrl(endpoint: string, queueName: string): string {
  return `${endpoint}/${LOCAL_ACCOUNT}/${queueName}`;
}

/** Locally a failed message comes back after this many seconds (AWS: the queue's visibility timeout). */
export const LOCAL_VISIBILITY_TIMEOUT_SECONDS = 2;

export async function startSqs(): Promise<LocalSqs> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const definitions = queues.flatMap((queue) => [
    {
      QueueName: localQueueName(queue.name, '-dlq'),
      Attributes: { MessageRetentionPeriod: deadLetterPolicy.retentionDays * 86_400 },
    },
    {
      QueueName: localQueueName(queue.name),
      Attributes: {
        VisibilityTimeout: LOCAL_VISIBILITY_TIMEOUT_SECONDS,
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: `arn:aws:sqs:us-east-1:${LOCAL_ACCOUNT}:${localQueueName(queue.name, '-dlq')}`,
          maxReceiveCount: deadLetterPolicy.maxReceiveCount,
        }),
      },
    },
  ]);
  definitions.push({
    QueueName: localQueueName(ASYNC_TARGETS_DLQ),
    Attributes: { MessageRetentionPeriod: deadLetterPolicy.retentionDays * 86_400 },
  });
  const server: Server = await createSqsServer({
    port,
    hostname: '127.0.0.1',
    accountId: LOCAL_ACCOUNT,
    emulateQueueCreationLifecycle: false,
    queues: definitions,
  });
  const url = (queueName: string) => localQueueUrl(endpoint, queueName);

  // Who waits for a send, by local queue name. The server's own handler reads the body with 'data'
  // listeners; this one listens beside it (every listener gets every chunk) and wakes the queue's
  // waiters once the answer has gone, when the message is stored.
  const waiting = new Map<string, Set<() => void>>();
  const wake = (queueName: string) => {
    const waiters = waiting.get(queueName);
    waiting.delete(queueName);
    for (const settle of waiters ?? []) settle();
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!/^AmazonSQS\.SendMessage(Batch)?$/.test(String(req.headers['x-amz-target'] ?? ''))) return;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('finish', () => {
      try {
        const queueUrl = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { QueueUrl?: unknown }).QueueUrl;
        if (typeof queueUrl === 'string') wake(queueUrl.split('/').pop()!);
      } catch {
        // Not JSON: the server answered it as it answers any malformed request.
      }
    });
  });
  return {
    endpoint,
    queueUrl: (name) => url(localQueueName(name)),
    dlqUrl: (name) => url(localQueueName(name, '-dlq')),
    asyncTargetsDlqUrl: url(localQueueName(ASYNC_TARGETS_DLQ)),
    nextSend: (name, ms) => {
      const queueName = localQueueName(name);
      let settle = () => {};
      const sent = new Promise<void>((resolve) => {
        const timer = setTimeout(() => settle(), ms);
        settle = () => {
          clearTimeout(timer);
          waiting.get(queueName)?.delete(settle);
          resolve();
        };
      });
      waiting.set(queueName, (waiting.get(queueName) ?? new Set()).add(settle));
      return { sent, cancel: () => settle() };
    },
    wakeAll: () => {
      for (const queueName of [...waiting.keys()]) wake(queueName);
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
