import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAMBDA_DEFAULTS } from './functions';
import { acknowledge } from './nag';
import { deadLetterPolicy, lambdaByName, queues as queueSpecs, type QueueSpec } from '../functions/registry';

export interface WorkQueue {
  spec: QueueSpec;
  queue: sqs.Queue;
  deadLetterQueue: sqs.Queue;
}

/** AWS's advice for SQS event sources: the visibility timeout at least 6x the function's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * One work queue per registry entry, each with its DLQ (5 receives, 14 days); and one dead-letter
 * queue for the asynchronous targets (EventBridge Scheduler schedules, EventBridge rules): an event
 * they could not deliver after their retries lands there instead of vanishing (alarmed in lib/alarms.ts).
 */
export class Queues extends Construct {
  readonly all: WorkQueue[];
  readonly asyncTargetsDlq: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.asyncTargetsDlq = new sqs.Queue(this, 'async-targets-dlq', {
      retentionPeriod: Duration.days(deadLetterPolicy.retentionDays),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    acknowledge(
      this.asyncTargetsDlq,
      'SQS3',
      'It is itself the dead-letter queue of the Scheduler and EventBridge rule targets (their DeadLetterConfig), which cdk-nag cannot see.',
    );
    this.all = queueSpecs.map((spec) => {
      if (spec.consumer) {
        const consumerTimeout = lambdaByName(spec.consumer).timeoutSeconds ?? LAMBDA_DEFAULTS.timeoutSeconds;
        if (spec.visibilityTimeoutSeconds < VISIBILITY_TIMEOUT_FACTOR * consumerTimeout) {
          throw new Error(
            `functions/registry.ts: queue ${spec.name} visibility timeout ${spec.visibilityTimeoutSeconds}s is less than ${VISIBILITY_TIMEOUT_FACTOR}x its consumer ${spec.consumer}'s timeout ${consumerTimeout}s`,
          );
        }
        if (spec.maximumConcurrency !== undefined && spec.reservedConcurrency !== undefined && spec.reservedConcurrency < spec.maximumConcurrency) {
          throw new Error(
            `functions/registry.ts: queue ${spec.name} maximumConcurrency ${spec.maximumConcurrency} exceeds ${spec.consumer}'s reserved concurrency ${spec.reservedConcurrency}: the mapping would invoke into throttles`,
          );
        }
      }
      const deadLetterQueue = new sqs.Queue(this, `${spec.name}-dlq`, {
        retentionPeriod: Duration.days(deadLetterPolicy.retentionDays),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      const queue = new sqs.Queue(this, spec.name, {
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: deadLetterPolicy.maxReceiveCount },
      });
      return { spec, queue, deadLetterQueue };
    });
  }

  byName(name: QueueSpec['name']): WorkQueue {
    const found = this.all.find((q) => q.spec.name === name);
    if (!found) throw new Error(`No queue named ${name} in functions/registry.ts`);
    return found;
  }

  /**
   * Wire each queue that names a consumer to that function: partial batch failures on, the batch
   * size and the mapping's maximum concurrency from the registry, and the consumer's reserved
   * concurrency where the registry sets one (the reasons sit with the numbers in functions/registry.ts).
   * Idle cost: a mapping long-polls its empty queue, each empty receive a billed SQS request; with a
   * maximum concurrency Lambda keeps its five idle pollers (AWS: the scale-down to as few as 2 "is not
   * available when you enable the maximum concurrency setting",
   * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html), ~15 requests a minute,
   * ~$0.26 a month per queue at list price, ~$0.10 without (`npm run bench idle`). So the registry
   * bounds consumers by reserved concurrency, and sets a mapping maximum only where a queue says why.
   */
  attachConsumers(functionOf: (lambdaName: string) => lambda.Function): void {
    for (const { spec, queue } of this.all) {
      if (!spec.consumer) continue;
      const fn = functionOf(spec.consumer);
      fn.addEventSource(
        new SqsEventSource(queue, {
          reportBatchItemFailures: true,
          batchSize: spec.batchSize,
          ...(spec.maximumConcurrency === undefined ? {} : { maxConcurrency: spec.maximumConcurrency }),
        }),
      );
      if (spec.reservedConcurrency !== undefined) {
        (fn.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = spec.reservedConcurrency;
      }
    }
  }
}
