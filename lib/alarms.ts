import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { isTraced, lambdas } from '../functions/registry';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE } from '../functions/shared/metrics';
import type { Api } from './api';
import type { Functions } from './functions';
import type { Queues } from './queues';
import type { Workflows } from './workflows';
import { acknowledge } from './nag';

/** Where alarms go, from CDK context (`cdk deploy -c alarmEmail=ops@example.com [-c alarmWebhookUrl=https://...]`). */
/** Alarms whenever any message sits in the queue (a dead-letter queue: something failed for good). */
function anyMessageIn(
  queue: sqs.IQueue,
): Pick<cloudwatch.AlarmProps, 'metric' | 'threshold' | 'comparisonOperator' | 'evaluationPeriods' | 'treatMissingData'> {
  return {
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
}

export interface AlarmTargets {
  /** An email address subscribed to the ops topic (AWS mails a confirmation link first). */
  alarmEmail?: string;
  /**
   * An https endpoint subscribed to the ops topic: a chat or paging integration that accepts SNS
   * (PagerDuty, Opsgenie, a small relay to a chat webhook); it must confirm the subscription.
   */
  alarmWebhookUrl?: string;
}

/** API 5xx responses per 5 minutes above which ops is paged. */
export const API_5XX_THRESHOLD = 5;

/** Ops alarms (ENGINEERING.md): DLQ depth > 0, notify falling behind, Lambda throttles, API 5xx; workflow failures are review items. */
export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: { queues: Queues; workflows: Workflows; api: Api; functions: Functions; targets?: AlarmTargets }) {
    super(scope, id);
    // No server-side encryption at rest (issue 19 item 4: a customer-managed KMS key is $1.00 a month,
    // two thirds of the idle budget). CloudWatch cannot publish to a topic encrypted with the
    // AWS-managed SNS key (its policy cannot be extended), so SSE would need that key. What the topic
    // carries is alarm state changes: alarm names, thresholds, metric values, resource names; no
    // customer data and no secrets (those stay in DynamoDB and Secrets Manager, encrypted). Publishing
    // and delivery stay TLS-only (enforceSSL), and only CloudWatch alarms of this account publish.
    this.topic = new sns.Topic(this, 'OpsTopic', {
      displayName: 'JobRelay ops alarms',
      enforceSSL: true,
    });
    acknowledge(
      this.topic,
      'SNS2',
      'Alarm notifications only (alarm names, thresholds, metric values): no customer data or secrets. A customer-managed key would cost $1/month, most of the idle budget (issue 19); TLS is enforced.',
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    const { alarmEmail, alarmWebhookUrl } = props.targets ?? {};
    if (alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));
    if (alarmWebhookUrl) {
      this.topic.addSubscription(new subscriptions.UrlSubscription(alarmWebhookUrl, { protocol: sns.SubscriptionProtocol.HTTPS }));
    }
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
        ...anyMessageIn(deadLetterQueue),
      });
    }

    // Workflow runs that fail or time out become review items, not alarms (issue 19 item 4: a failure
    // that becomes a review item is better than an alarm, and free). Both workflows are Express, which
    // sends no execution-status events to EventBridge, so: the booking run is synchronous and its
    // caller (booking/drive.ts) opens a workflow_failed review item naming the execution for any end
    // but SUCCEEDED; the job trail's Catch paths open one per failed step (ReportTrailFailure), and
    // the recovery sweep opens one for a committed booking whose trail never closed (booking/recovery.ts).

    // The schedules (notification sweeper, renewals scan, ...) failing: Lambda's asynchronous on-failure
    // destination puts the failed run into the async-targets DLQ (lib/schedules.ts), alarmed below,
    // instead of one Errors alarm per function.

    // Work waiting too long in a queue (consumer down, throttled or bounded too low).
    for (const { spec, queue } of props.queues.all) {
      if (spec.maxAgeAlarmSeconds === undefined) continue;
      add(`${spec.name}-oldest-message`, {
        alarmDescription: `The oldest ${spec.name} message is older than ${spec.maxAgeAlarmSeconds} s: ${spec.consumer ?? 'its consumer'} is not keeping up`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: spec.maxAgeAlarmSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    // EventBridge Scheduler and EventBridge rules could not deliver an event after their retries, or a
    // scheduled function failed after Lambda's asynchronous retries (its on-failure destination).
    add('async-targets-dlq-depth', {
      alarmDescription: 'A schedule or an EventBridge rule could not invoke its function, or a scheduled function failed (records in the async-targets DLQ)',
      ...anyMessageIn(props.queues.asyncTargetsDlq),
    });

    // Throttles of any function, on Lambda's account-level Throttles metric (no dimension: the sum over
    // every function of the account in this region). One alarm metric ($0.10 a month) instead of one per
    // booking-path function (18, $1.80: a metric-math alarm is billed per metric it reads; issue 19
    // item 4). A throttle anywhere pages: on the booking path it loses a call, elsewhere it means the
    // account's concurrency is short for the booking path too. In an account shared with other stacks
    // their throttles page as well; the alarm description says so.
    add('lambda-throttles', {
      alarmDescription: `Lambda throttled in this account and region (any function, other stacks' too; the booking path is ${lambdas
        .filter(isTraced)
        .map((s) => s.name)
        .join(', ')})`,
      metric: new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Throttles', period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // No alarm on the booking workflow's run time (issue 19 item 4): a slow run is not a failure; a
    // run past its TimeoutSeconds ends TIMED_OUT and becomes a workflow_failed review item, and the
    // dashboard graphs its p50/p99.

    add('api-5xx', {
      alarmDescription: `More than ${API_5XX_THRESHOLD} API 5xx responses in 5 minutes`,
      metric: props.api.httpApi.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: API_5XX_THRESHOLD,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.dashboard = this.createDashboard(props);
  }

  /** One page: what the business sees (bookings, CRM lag, messages), then queues, workflow, API and alarms. */
  private createDashboard(props: { queues: Queues; workflows: Workflows; api: Api }): cloudwatch.Dashboard {
    const fiveMinutes = Duration.minutes(5);
    // The metrics of functions/shared/metrics.ts, every value of their dimension (a SEARCH, so a new
    // status or channel shows up without a deploy).
    const search = (metric: { name: string; dimension?: string }, statistic: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},service,${metric.dimension}} MetricName="${metric.name}" service="${METRICS_SERVICE}"', '${statistic}', 300)`,
        usingMetrics: {},
        label,
        period: fiveMinutes,
      });
    const crmLag = (statistic: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRICS.crmSyncLag.name,
        dimensionsMap: { service: METRICS_SERVICE },
        statistic,
        period: fiveMinutes,
      });
    const booking = props.workflows.all.find((w) => w.spec.name === 'booking')?.stateMachine;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(24) });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Bookings by status', left: [search(METRICS.bookings, 'Sum', '')], width: 8, stacked: true }),
      new cloudwatch.GraphWidget({ title: 'CRM sync lag (ms)', left: [crmLag('p50'), crmLag('p99'), crmLag('Maximum')], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Messages sent / failed',
        left: [search(METRICS.messagesSent, 'Sum', 'sent'), search(METRICS.messagesFailed, 'Sum', 'failed')],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Queue depth',
        left: props.queues.all.map(({ spec, queue }) => queue.metricApproximateNumberOfMessagesVisible({ label: spec.name, period: Duration.minutes(1) })),
        right: props.queues.all.map(({ spec, deadLetterQueue }) =>
          deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: `${spec.name} DLQ`, period: Duration.minutes(1) }),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Oldest message age (s)',
        left: props.queues.all.map(({ spec, queue }) =>
          queue.metricApproximateAgeOfOldestMessage({ label: spec.name, period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Booking workflow',
        left: booking
          ? [
              booking.metric('ExecutionTime', { statistic: cloudwatch.Stats.p(50), label: 'p50 ms', period: fiveMinutes }),
              booking.metric('ExecutionTime', { statistic: cloudwatch.Stats.p(99), label: 'p99 ms', period: fiveMinutes }),
            ]
          : [],
        right: booking ? [booking.metricFailed({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM })] : [],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API',
        left: [props.api.httpApi.metricCount({ period: fiveMinutes }), props.api.httpApi.metricServerError({ period: fiveMinutes })],
        right: [props.api.httpApi.metricLatency({ period: fiveMinutes, statistic: cloudwatch.Stats.p(99) })],
        width: 12,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 12 }),
    );
    return dashboard;
  }
}
