import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Api } from './api';
import type { Queues } from './queues';
import type { Workflows } from './workflows';

/** API 5xx responses per 5 minutes above which ops is paged. */
export const API_5XX_THRESHOLD = 5;

/** Ops alarms (ENGINEERING.md): DLQ depth > 0, workflow failures/timeouts, API 5xx. */
export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: { queues: Queues; workflows: Workflows; api: Api }) {
    super(scope, id);
    // A customer-managed key: CloudWatch cannot publish to a topic encrypted with the AWS-managed
    // SNS key, because that key's policy cannot be extended.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'JobRelay ops alarm topic',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.topic = new sns.Topic(this, 'OpsTopic', {
      displayName: 'JobRelay ops alarms',
      masterKey: key,
      enforceSSL: true,
    });
    const action = new actions.SnsAction(this.topic);
    const add = (alarmId: string, props: cloudwatch.AlarmProps) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, props);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };

    for (const { spec, deadLetterQueue } of props.queues.all) {
      add(`${spec.name}-dlq-depth`, {
        alarmDescription: `Messages in the ${spec.name} dead-letter queue: ${spec.name} work failed 5 times`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    for (const { spec, stateMachine } of props.workflows.all) {
      const period = { period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM };
      add(`${spec.name}-executions-failed`, {
        alarmDescription: `${spec.name} workflow executions failed`,
        metric: stateMachine.metricFailed(period),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      add(`${spec.name}-executions-timed-out`, {
        alarmDescription: `${spec.name} workflow executions timed out`,
        metric: stateMachine.metricTimedOut(period),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    add('api-5xx', {
      alarmDescription: `More than ${API_5XX_THRESHOLD} API 5xx responses in 5 minutes`,
      metric: props.api.httpApi.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: API_5XX_THRESHOLD,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
