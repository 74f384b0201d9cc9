/**
 * Business metrics as CloudWatch embedded metric format (Powertools metrics): one JSON log line per
 * data point, turned into metrics by CloudWatch Logs, no API call on the request path. Dimensions
 * are few and bounded (status, channel), never a tenant or a phone. The dashboard (lib/alarms.ts)
 * reads the same names from METRICS.
 *
 * Off in the local runtime (JOBRELAY_STAGE=local): there is no CloudWatch to read them and the lines
 * would bury the test output.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { isLocalStage } from './stage';

export const METRICS_NAMESPACE = 'JobRelay';
export const METRICS_SERVICE = 'jobrelay';

/** Every metric this code emits, with its dimension: the dashboard and alarms read from here. */
export const METRICS = {
  /** A booking's answer, by its status (confirmed, pending_*, rejected). */
  bookings: { name: 'Bookings', dimension: 'status' },
  /** Milliseconds from a booking's CRM outage to the CRM write that caught up (crm-sync worker). */
  crmSyncLag: { name: 'CrmSyncLag', dimension: undefined },
  /** Messages a provider accepted, by channel. */
  messagesSent: { name: 'MessagesSent', dimension: 'channel' },
  /** Messages that could not be sent (provider refusal, not set up, last attempt failed), by channel. */
  messagesFailed: { name: 'MessagesFailed', dimension: 'channel' },
} as const;

let metrics: Metrics | undefined;

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

function emit(name: string, unit: Unit, value: number, dimensions: Record<string, string> = {}): void {
  if (isLocalStage()) return;
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
  // A single metric is flushed at once: no handler wrapper needed to publish it.
  const single = metrics.singleMetric();
  for (const [key, dimensionValue] of Object.entries(dimensions)) single.addDimension(key, dimensionValue);
  single.addMetric(name, unit, value);
}

export function countBooking(status: string): void {
  emit(METRICS.bookings.name, MetricUnit.Count, 1, { [METRICS.bookings.dimension]: status });
}

export function recordCrmSyncLag(milliseconds: number): void {
  emit(METRICS.crmSyncLag.name, MetricUnit.Milliseconds, Math.max(0, milliseconds));
}

export function countMessage(outcome: 'sent' | 'failed', channel: string): void {
  const metric = outcome === 'sent' ? METRICS.messagesSent : METRICS.messagesFailed;
  emit(metric.name, MetricUnit.Count, 1, { [metric.dimension]: channel });
}
