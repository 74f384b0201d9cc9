/**
 * The HTTP call every vendor adapter makes, with one classification of failures:
 * network error or timeout, 429 and 5xx -> CrmUnavailableError (retry later; a 429's Retry-After is
 * kept on the error for the outbox backoff); 401/403 -> CrmRejectedError (credentials: a person must
 * fix them); other 4xx -> CrmRejectedError with the vendor's message. Never logs or returns secrets.
 */
import { CrmRejectedError, CrmUnavailableError } from '../../shared/errors';

export type UnavailableWithRetry = CrmUnavailableError & { retryAfterSeconds?: number };

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
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs) });
  } catch (error) {
    const name = (error as Error).name;
    throw new CrmUnavailableError(`${vendor} ${operation}: ${name === 'TimeoutError' ? `no answer within ${init.timeoutMs} ms` : `unreachable (${name})`}`);
  }
  const text = await response.text();
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
  if (response.status === 401 || response.status === 403) throw new CrmRejectedError(`${message} (check the ${vendor} credentials)`);
  throw new CrmRejectedError(message);
}
