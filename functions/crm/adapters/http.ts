/**
 * The HTTP call every vendor adapter makes, with one classification of failures:
 * network error or timeout, 429 and 5xx -> CrmUnavailableError (retry later; a 429's Retry-After is
 * kept on the error for the outbox backoff); 401/403 -> CrmRejectedError (credentials: a person must
 * fix them); other 4xx -> CrmRejectedError with the vendor's message. Never logs or returns secrets.
 * Every call has two limits: its own (the tenant's `timeoutMs`) and the budget of the whole write it
 * belongs to (`withCallBudget`, set by whoever writes: the WriteCrm node from its Lambda time left),
 * so a write of several calls (token, lookup, create) ends inside its node's time. Running out of
 * either is CrmUnavailableError (retry later): a timeout is never a refusal.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CrmRejectedError, CrmUnavailableError } from '../../shared/errors';

/** The budget of the write in progress; AsyncLocalStorage so that every adapter's calls honour it. */
const budgets = new AsyncLocalStorage<{ signal: AbortSignal; budgetMs: number }>();

/** Runs `write` with a deadline every vendorCall inside it honours. */
export function withCallBudget<T>(budgetMs: number, write: () => Promise<T>): Promise<T> {
  return budgets.run({ signal: AbortSignal.timeout(Math.max(1, Math.floor(budgetMs))), budgetMs: Math.floor(budgetMs) }, write);
}

export type UnavailableWithRetry = CrmUnavailableError & { retryAfterSeconds?: number };
/** A refusal with the vendor's machine-readable code when it sent one (an OAuth `error`, e.g. `invalid_grant`). */
export type RejectedWithCode = CrmRejectedError & { vendorCode?: string };

function vendorCode(body: unknown): string | undefined {
  const code = body && typeof body === 'object' ? (body as Record<string, unknown>).error : undefined;
  return typeof code === 'string' ? code.slice(0, 100) : undefined;
}

export function retryAfterSeconds(header: string | null, at: Date = new Date()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - at.getTime()) / 1000));
}

/** The vendor's own error text from its documented error body shapes (HubSpot, ServiceTitan, HCP). */
function vendorMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const text = b.message ?? b.title ?? b.error_description ?? b.error;
  return typeof text === 'string' ? text.slice(0, 300) : undefined;
}

export async function vendorCall<T>(
  vendor: string,
  operation: string,
  url: string,
  init: RequestInit & { timeoutMs: number },
): Promise<{ status: number; body: T }> {
  const budget = budgets.getStore();
  if (budget?.signal.aborted) throw new CrmUnavailableError(`${vendor} ${operation}: not sent, the write's ${budget.budgetMs} ms budget is spent`);
  const { timeoutMs, ...request } = init;
  const signal = budget ? AbortSignal.any([AbortSignal.timeout(timeoutMs), budget.signal]) : AbortSignal.timeout(timeoutMs);
  const outOfTime = (error: unknown) => {
    const name = (error as Error).name;
    const limit = budget?.signal.aborted ? `the write's ${budget.budgetMs} ms budget` : `${timeoutMs} ms`;
    return new CrmUnavailableError(
      `${vendor} ${operation}: ${name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${limit}` : `unreachable (${name})`}`,
      { cause: error },
    );
  };
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { ...request, signal });
    // The body arrives under the same limits.
    text = await response.text();
  } catch (error) {
    throw outOfTime(error);
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.ok) return { status: response.status, body: body as T };
  const detail = vendorMessage(body);
  const message = `${vendor} ${operation} answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
  if (response.status === 429 || response.status >= 500) {
    const error = new CrmUnavailableError(message) as UnavailableWithRetry;
    error.retryAfterSeconds = retryAfterSeconds(response.headers.get('retry-after'));
    throw error;
  }
  const rejected: RejectedWithCode = new CrmRejectedError(
    response.status === 401 || response.status === 403 ? `${message} (check the ${vendor} credentials)` : message,
  );
  rejected.vendorCode = vendorCode(body);
  throw rejected;
}
