import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAMBDA_DEFAULTS } from './functions';
import { deadLetterPolicy, lambdaByName, queues as queueSpecs, type QueueSpec } from '../functions/registry';

export interface WorkQueue {
  spec: QueueSpec;
  queue: sqs.Queue;
  deadLetterQueue: sqs.Queue;
}

/** One work queue per registry entry, each with its DLQ (5 receives, 14 days). */
export class Queues extends Construct {
  readonly all: WorkQueue[];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.all = queueSpecs.map((spec) => {
      if (spec.consumer) {
        const consumerTimeout = lambdaByName(spec.consumer).timeoutSeconds ?? LAMBDA_DEFAULTS.timeoutSeconds;
        if (spec.visibilityTimeoutSeconds < consumerTimeout) {
          throw new Error(
            `functions/registry.ts: queue ${spec.name} visibility timeout ${spec.visibilityTimeoutSeconds}s is shorter than its consumer ${spec.consumer}'s timeout ${consumerTimeout}s`,
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

  /** Wire each queue that names a consumer to that function (partial batch failures on). */
  attachConsumers(functionOf: (lambdaName: string) => lambda.IFunction): void {
    for (const { spec, queue } of this.all) {
      if (!spec.consumer) continue;
      functionOf(spec.consumer).addEventSource(new SqsEventSource(queue, { reportBatchItemFailures: true }));
    }
  }
}
