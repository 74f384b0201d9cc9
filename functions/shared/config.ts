/**
 * Runtime configuration from the environment. The CDK stack sets these on each function; the local
 * runtime sets the same names before it loads the handlers. Read lazily so tests can set them first.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

export const config = {
  get tableName() {
    return required('TABLE_NAME');
  },
  get bookingStateMachineArn() {
    return required('BOOKING_STATE_MACHINE_ARN');
  },
  get notifyQueueUrl() {
    return required('NOTIFY_QUEUE_URL');
  },
  /** How long a booking request's first answer is kept for replays. */
  idempotencyTtlSeconds: 24 * 60 * 60,
  /** Minutes a soft hold lasts when the tenant does not say otherwise. */
  defaultHoldMinutes: 10,
};
