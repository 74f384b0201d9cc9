/**
 * Typed errors, in three families: input errors (ApiError: the caller must change the request),
 * retryable errors (RetryableError: the same call may succeed later) and permanent errors
 * (PermanentError: retrying the same call cannot help; a person must look). Every class takes
 * `{ cause }` (ES2022), and code that wraps an error passes it. `name` matters twice: the API maps it
 * to an HTTP status, and Step Functions matches it in Retry/Catch (a Lambda's error type is the
 * thrown error's name), so a class keeps its name; test/unit/asl-errors.test.ts checks the ASL's
 * names against these classes.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'window_unavailable'
  /** A day plan computed on a board that has changed since: plan again. */
  | 'board_changed'
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
  board_changed: 409,
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
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
  get statusCode(): number {
    return statusByCode[this.code];
  }
}

/** A failure the same call may get past later (a dependency down, throttled, out of time). */
export class RetryableError extends Error {
  override name = 'RetryableError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A failure retrying the same call cannot fix (refused data, a broken invariant): a person must look. */
export class PermanentError extends Error {
  override name = 'PermanentError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A failure worth retrying (throttling, a dependency briefly down). Step Functions retries it. */
export class TransientError extends RetryableError {
  override name = 'TransientError';
}

/** The CRM could not take the write now (down, timing out, throttling): worth retrying later. */
export class CrmUnavailableError extends RetryableError {
  override name = 'CrmUnavailableError';
}

/** The CRM refused the write (bad credentials, rejected data): retrying the same write will not help. */
export class CrmRejectedError extends PermanentError {
  override name = 'CrmRejectedError';
}

/** Data that breaks an invariant the workflow relies on (e.g. a booking row is missing). */
export class InvariantError extends PermanentError {
  override name = 'InvariantError';
}

/** Any error class (its instances' `name` is what Step Functions and SQS redeliveries see). */
// biome-ignore lint/suspicious/noExplicitAny: error classes differ in their constructor parameters
export type ErrorClass = new (...args: any[]) => Error;

/** The `name` an error class's instances carry: what Step Functions sees as the error type. */
export function errorNameOf(errorClass: ErrorClass): string {
  return new errorClass('').name;
}

/** A Lambda error's Cause as Step Functions passes it on: a JSON string ({errorMessage, errorType, ...}) in AWS; text locally. */
export function describeCause(cause: string | undefined): string {
  if (!cause) return 'no detail';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

/**
 * Whether an error is one of `classes`. An error thrown in this process is matched with
 * `instanceof`; one that crossed a Lambda boundary arrives as its name only (a workflow's
 * `failures.X.Error`, an SQS-redelivered failure), so a string, or an error object with that name,
 * is matched by name. The one place names are compared.
 */
export function isErrorOf(error: unknown, ...classes: ErrorClass[]): boolean {
  if (classes.some((errorClass) => error instanceof errorClass)) return true;
  const name = typeof error === 'string' ? error : error instanceof Error ? error.name : (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && classes.some((errorClass) => errorNameOf(errorClass) === name);
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ConditionalCheckFailedException' || error.name === 'TransactionCanceledException');
}

/**
 * What a workflow node's handler can throw on purpose, declared next to the node (`export const
 * raises`). test/unit/asl-errors.test.ts checks that its Task retries or catches each by name, or
 * catches everything (States.ALL) and `catchAll` says why that is the intended path.
 */
export interface NodeRaises {
  errors: ErrorClass[];
  /** Why the Task's Catch on States.ALL is the right handling for the errors no Retry or Catch names. */
  catchAll?: string;
  /** Why an error may fail the run (a Task with no Catch): who finds the work then. */
  uncaught?: string;
}
