/**
 * POST /v1/bookings. Validates, stores the request as a booking (so it can never be lost), then runs
 * the booking workflow synchronously (Express, StartSyncExecution) and answers with the booking.
 * Replays (same Idempotency-Key, or the same body without a key) return the first answer; the same
 * key with another body is 422 (Powertools idempotency semantics, DynamoDB persistence).
 */
import { createHash } from 'node:crypto';
import { StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { ulid } from 'ulid';
import { openIntakeReviewItems, planIntake } from '../attribution/intake';
import { normalizePhone } from '../recognise/phone';
import { openReviewItem } from '../review/store';
import { dynamoClient, sfnClient } from '../shared/clients';
import { config } from '../shared/config';
import { ApiError } from '../shared/errors';
import { apiRoute, errorBody, type RouteResponse } from '../shared/http';
import { logger } from '../shared/logger';
import { now } from '../shared/time';
import { resolveJobType } from '../triage/booking';
import { getJobType, getTenant } from '../tenant/store';
import { CreateBookingRequestSchema, type CreateBookingRequest } from './schemas';
import { createBookingRecord, getBookingRecord, toPublicBooking, updateBooking } from './store';

const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export const idempotencyKeys = {
  partition: (tenantId: string) => `T#${tenantId}#IDEMPOTENCY`,
};

interface IdempotentBookingInput {
  tenantId: string;
  idempotencyKey: string;
  request: CreateBookingRequest;
}

/** Checks what zod cannot: facts of the tenant's configuration. */
async function validateAgainstTenant(tenantId: string, request: CreateBookingRequest): Promise<void> {
  const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, request.jobTypeId)]);
  if (!tenant) throw new ApiError('service_unavailable', 'This account has no configuration yet');
  if (!jobType) throw new ApiError('invalid_request', `Unknown job type "${request.jobTypeId}"`, 'jobTypeId');
  if (!normalizePhone(request.customer.phone, request.address.country)) {
    throw new ApiError('invalid_request', 'customer.phone: not a valid phone number', 'customer.phone');
  }
  if (request.window && !tenant.arrivalWindows.some((w) => w.start === request.window!.start)) {
    const starts = tenant.arrivalWindows.map((w) => w.start).join(', ');
    throw new ApiError('invalid_request', `window.start must be one of the arrival windows: ${starts}`, 'window.start');
  }
}

async function runBooking({ tenantId, request }: IdempotentBookingInput): Promise<RouteResponse> {
  const at = now();
  const bookingId = ulid(at.getTime());
  // Summary pre-filled from the job type, the source's settings, attribution flags (attribution/intake.ts).
  const [tenantConfig, jobTypeConfig] = await Promise.all([getTenant(tenantId), getJobType(tenantId, request.jobTypeId)]);
  const intake = planIntake(tenantConfig!, jobTypeConfig, request, at);
  await createBookingRecord({
    tenantId,
    bookingId,
    status: 'received',
    jobTypeId: request.jobTypeId,
    window: null,
    channel: request.channel,
    summary: intake.summary,
    ...(intake.sourceSettings ? { sourceSettings: intake.sourceSettings } : {}),
    ...(intake.flags.length ? { flags: intake.flags } : {}),
    attribution: request.attribution,
    request,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  });

  // StartSyncExecution answers 200 even when the run failed: read its status.
  let failure: string | undefined;
  try {
    const run = await sfnClient().send(
      new StartSyncExecutionCommand({
        stateMachineArn: config.bookingStateMachineArn,
        name: bookingId,
        input: JSON.stringify({ tenantId, bookingId }),
      }),
    );
    if (run.status !== 'SUCCEEDED') failure = `${run.status}: ${run.error ?? ''} ${run.cause ?? ''}`.trim();
  } catch (error) {
    failure = `StartSyncExecution failed: ${(error as Error).name}`;
  }
  if (failure) {
    logger.error('booking workflow did not succeed', { tenantId, bookingId, failure });
    await openReviewItem(tenantId, {
      kind: 'workflow_failed',
      reason: `The booking workflow did not finish (${failure})`,
      subject: { type: 'booking', id: bookingId },
    });
    await updateBooking(tenantId, bookingId, { status: 'pending_confirmation', statusReason: 'workflow_failed' }, { onlyFrom: ['received'] });
  }

  const record = await getBookingRecord(tenantId, bookingId);
  await openIntakeReviewItems(tenantId, record!, now());
  const booking = toPublicBooking(record!);
  if (booking.status === 'rejected') {
    const error = new ApiError('window_unavailable', `No technician can take this booking (${booking.statusReason})`, 'window', {
      booking,
      alternatives: booking.alternatives ?? [],
    });
    return { statusCode: error.statusCode, body: errorBody(error) };
  }
  return { statusCode: 201, body: booking, headers: { location: `/v1/bookings/${bookingId}` } };
}

function canonicalHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export const handler = apiRoute({ body: CreateBookingRequestSchema }, async ({ tenant, body, headers, context }) => {
  const headerKey = headers['idempotency-key'];
  if (headerKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(headerKey)) {
    throw new ApiError('invalid_request', 'Idempotency-Key must be 1-128 characters of letters, digits and ._:-', 'Idempotency-Key');
  }
  // Without a job type, triage decides it from what the caller said (or answers 400 with its reasons).
  const request = await resolveJobType(tenant.tenantId, body);
  await validateAgainstTenant(tenant.tenantId, request);

  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: 'idempotencyKey',
    payloadValidationJmesPath: 'request',
    expiresAfterSeconds: config.idempotencyTtlSeconds,
  });
  if (context) idempotencyConfig.registerLambdaContext(context);
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: config.tableName,
    awsSdkV3Client: dynamoClient(),
    keyAttr: 'pk',
    sortKeyAttr: 'sk',
    staticPkValue: idempotencyKeys.partition(tenant.tenantId),
    expiryAttr: 'expiresAt',
  });
  const idempotentBooking = makeIdempotent(runBooking, { persistenceStore, config: idempotencyConfig, keyPrefix: 'booking' });

  try {
    return await idempotentBooking({
      tenantId: tenant.tenantId,
      // Without a key, the request itself is the key: a replayed submission books nothing new.
      idempotencyKey: headerKey ?? `request:${canonicalHash(request)}`,
      request,
    });
  } catch (error) {
    if (error instanceof IdempotencyValidationError) {
      throw new ApiError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body', 'Idempotency-Key');
    }
    if (error instanceof IdempotencyAlreadyInProgressError) {
      throw new ApiError('request_in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly', 'Idempotency-Key');
    }
    throw error;
  }
});
