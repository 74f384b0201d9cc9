import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { isTraced, lambdaByName, lambdas, schedules } from '../functions/registry';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE } from '../functions/shared/metrics';
import type { Api } from './api';
import { LAMBDA_DEFAULTS, type Functions } from './functions';
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

/** The booking workflow's p99 run time above this share of its caller's timeout pages ops. */
export const EXPRESS_BUDGET_ALARM_SHARE = 0.8;
/** API 5xx responses per 5 minutes above which ops is paged. */
export const API_5XX_THRESHOLD = 5;

/** Ops alarms (ENGINEERING.md): DLQ depth > 0, workflow failures/timeouts, API 5xx. */
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

    // The schedules (notification sweeper, renewals scan) failing: reminders or renewals stop.
    for (const spec of schedules) {
      add(`${spec.name}-errors`, {
        alarmDescription: `${spec.lambda} (schedule ${spec.name}) failed: due work is not being done`,
        metric: props.functions.get(spec.lambda).metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    // Work waiting too long in a queue (consumer down, throttled or bounded too low).
    for (const { spec, queue } of props.queues.all) {
      add(`${spec.name}-oldest-message`, {
        alarmDescription: `The oldest ${spec.name} message is older than ${spec.maxAgeAlarmSeconds} s: ${spec.consumer ?? 'its consumer'} is not keeping up`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: spec.maxAgeAlarmSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    // EventBridge Scheduler and EventBridge rules could not deliver an event after their retries.
    add('async-targets-dlq-depth', {
      alarmDescription: 'A schedule or an EventBridge rule could not invoke its function (events in the async-targets DLQ)',
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

    // The booking workflow (Express, run synchronously by the booking route) near its caller's timeout.
    const booking = props.workflows.all.find((w) => w.spec.name === 'booking');
    const caller = lambdas.find((l) => l.grants.includes('bookingWorkflow:startSync'));
    if (booking && caller) {
      const budgetMs = (lambdaByName(caller.name).timeoutSeconds ?? LAMBDA_DEFAULTS.timeoutSeconds) * 1000;
      add('booking-duration-near-budget', {
        alarmDescription: `booking workflow p99 run time above ${EXPRESS_BUDGET_ALARM_SHARE * 100}% of ${caller.name}'s ${budgetMs / 1000} s budget`,
        metric: booking.stateMachine.metric('ExecutionTime', { period: Duration.minutes(5), statistic: cloudwatch.Stats.p(99) }),
        threshold: EXPRESS_BUDGET_ALARM_SHARE * budgetMs,
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
