/**
 * Typed errors. `name` matters twice: the API maps it to an HTTP status, and Step Functions matches
 * it in Retry/Catch (a Lambda's error type is the thrown error's name).
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'window_unavailable'
  | 'idempotency_key_reused'
  | 'request_in_progress'
  | 'unprocessable'
  | 'rate_limited'
  | 'service_unavailable';

const statusByCode: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  window_unavailable: 409,
  request_in_progress: 409,
  idempotency_key_reused: 422,
  unprocessable: 422,
  rate_limited: 429,
  service_unavailable: 503,
};

/** An error the API answers with a status and a JSON error body. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly extra?: Record<string, unknown>,
    /** Response headers the answer carries (e.g. Retry-After on 429/503). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
  get statusCode(): number {
    return statusByCode[this.code];
  }
}

/** A failure worth retrying (throttling, a dependency briefly down). Step Functions retries it. */
export class TransientError extends Error {
  override name = 'TransientError';
}

/** The CRM could not take the write now (down, timing out, throttling): worth retrying later. */
export class CrmUnavailableError extends Error {
  override name = 'CrmUnavailableError';
}

/** The CRM refused the write (bad credentials, rejected data): retrying the same write will not help. */
export class CrmRejectedError extends Error {
  override name = 'CrmRejectedError';
}

/** Data that breaks an invariant the workflow relies on (e.g. a booking row is missing). */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ConditionalCheckFailedException' || error.name === 'TransactionCanceledException');
}
