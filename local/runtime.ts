/**
 * The whole system on one machine: DynamoDB Local, the SQS server, the Step Functions endpoint over
 * the ASL interpreter, the HTTP API, queue pollers and the schedule ticker. Handlers run unchanged;
 * only the AWS_ENDPOINT_URL_* variables differ from AWS.
 */
import { join } from 'node:path';
import { dlqUrlEnv, queues, queueUrlEnv, stateMachines } from '../functions/registry';
import { startDynamoDb } from './dynamodb';
import { startHttpApi, type ExtraHandler } from './http';
import { LOCAL_REGION } from './lambdas';
import { startPollers } from './pollers';
import { startSqs, type LocalSqs } from './sqs';
import { localStateMachineArn, startStepFunctions, type LocalStepFunctions } from './stepfunctions';
import { startTicker } from './ticker';

export const LOCAL_TABLE_NAME = 'jobrelay';

export interface LocalSystemOptions {
  /** Where DynamoDB Local keeps its data; omit for in-memory (tests). */
  dataDir?: string;
  /** HTTP API port; 0 picks a free one. */
  port: number;
  host?: string;
  /** Run the queue pollers and the schedule ticker (tests drive them by hand instead). */
  background?: boolean;
  tickerIntervalMs?: number;
  /** Shorten Step Functions Retry intervals (tests). */
  retryIntervalMs?: number;
  /** Extra HTTP handling before the API routes (the console, later). */
  extra?: ExtraHandler;
  secretsFile?: string;
}

export interface LocalSystem {
  apiUrl: string;
  sfn: LocalStepFunctions;
  env: Record<string, string>;
  sqs: LocalSqs;
  stop(): Promise<void>;
}

export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const [dynamo, sqs] = await Promise.all([
      startDynamoDb({ dataDir: options.dataDir ? join(options.dataDir, 'dynamodb') : undefined, tableName: LOCAL_TABLE_NAME }),
      startSqs(),
    ]);
    stops.push(dynamo.stop, sqs.stop);
    const sfn = await startStepFunctions({ retryIntervalMs: options.retryIntervalMs });
    stops.push(sfn.stop);

    const env: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_SFN: sfn.endpoint,
      TABLE_NAME: LOCAL_TABLE_NAME,
      ...Object.fromEntries(stateMachines.map((m) => [m.arnEnv, localStateMachineArn(m.name)])),
      ...Object.fromEntries(queues.map((q) => [queueUrlEnv(q.name), sqs.queueUrl(q.name)])),
      ...Object.fromEntries(queues.map((q) => [dlqUrlEnv(q.name), sqs.dlqUrl(q.name)])),
      ...(options.secretsFile ? { JOBRELAY_LOCAL_SECRETS_FILE: options.secretsFile } : {}),
      // The CRM outbox backs off in seconds here, as the local queues' visibility timeout is 2 s.
      CRM_SYNC_BACKOFF_BASE_SECONDS: process.env.CRM_SYNC_BACKOFF_BASE_SECONDS ?? '1',
      CRM_SYNC_BACKOFF_MAX_SECONDS: process.env.CRM_SYNC_BACKOFF_MAX_SECONDS ?? '2',
    };
    // Every local handler shares this process, so they all see the same environment.
    Object.assign(process.env, env);

    const api = await startHttpApi({ port: options.port, host: options.host, extra: options.extra });
    stops.push(api.stop);
    if (options.background !== false) {
      const pollers = startPollers(sqs);
      const ticker = startTicker(options.tickerIntervalMs ?? 60_000);
      stops.push(pollers.stop, ticker.stop);
    }
    return { apiUrl: api.url, env, sqs, sfn, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
