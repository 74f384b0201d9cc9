/**
 * Jobber's GraphQL transport: every call is `POST <apiUrl>/api/graphql` with a JSON body
 * {query, variables}, `Authorization: Bearer <access token>` and `X-JOBBER-GRAPHQL-VERSION`.
 * First-hand (developer.getjobber.com, "API Queries and Mutations", "API Rate Limits", "API
 * Versioning", "Refresh Token Rotation"): the endpoint, JSON only, the bearer token, 401 for a bad
 * token; dated versions in the version header; a DDoS limit of 2,500 requests per 5 minutes
 * answered with HTTP 429, and a leaky-bucket query-cost limit whose state comes back in
 * `extensions.cost` {requestedQueryCost, actualQueryCost, throttleStatus {maximumAvailable,
 * currentlyAvailable, restoreRate}}; a refresh returns a new refresh token and the old one dies.
 * Inferred (not in the pages seen here): the token endpoint `<apiUrl>/api/oauth/token` taking
 * grant_type=refresh_token with client_id/client_secret as a form; the throttled answer as HTTP 200
 * with `errors[].extensions.code = "THROTTLED"`; `expires_in` (absent: 60 minutes assumed).
 * Failures: network/5xx/429 and THROTTLED -> CrmUnavailableError (with the time the bucket needs to
 * hold the query as retryAfterSeconds); 401 -> one refresh, then CrmRejectedError; other GraphQL
 * `errors` and a mutation's `userErrors` -> CrmRejectedError with Jobber's messages.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CrmRejectedError, CrmUnavailableError } from '../../shared/errors';
import { type RejectedWithCode, type UnavailableWithRetry, vendorCall } from './http';
import { reportReconnectNeeded, resolveReconnectNeeded } from '../reconnect-review';
import { type JobberTokenState, markJobberRefused, readJobberTokens, saveJobberTokens, tokenSeed } from './jobber-token-store';

export interface JobberCredentials {
  clientId: string;
  clientSecret: string;
  /** The refresh token from the owner's install of the app (rotated on the first refresh). */
  refreshToken: string;
}

export interface JobberSettings {
  apiUrl: string;
  apiVersion: string;
  timeoutMs: number;
}

export function parseJobberSecret(secret: string): JobberCredentials {
  try {
    const parsed = JSON.parse(secret) as Partial<JobberCredentials>;
    if (parsed.clientId && parsed.clientSecret && parsed.refreshToken) return parsed as JobberCredentials;
  } catch {
    // fall through
  }
  throw new CrmRejectedError('The Jobber secret must be JSON with clientId, clientSecret and refreshToken');
}

interface ThrottleStatus {
  maximumAvailable?: number;
  currentlyAvailable?: number;
  restoreRate?: number;
}
interface GraphQlAnswer<T> {
  data?: T;
  errors?: Array<{ message?: string; extensions?: { code?: string } & Record<string, unknown> }>;
  extensions?: { cost?: { requestedQueryCost?: number; actualQueryCost?: number; throttleStatus?: ThrottleStatus } };
}

/** A throttled query is retried in place when the bucket refills within this long; otherwise the caller retries later. */
const THROTTLE_WAIT_IN_PLACE_MS = 2_000;
/** Access tokens are renewed this long before they expire. */
const EXPIRY_MARGIN_MS = 60_000;
/** A refused refresh: looks for a concurrent refresh's stored tokens this many times, this far apart, before calling the token dead. */
const ROTATED_ELSEWHERE_LOOKS = 3;
const ROTATED_ELSEWHERE_PAUSE_MS = 500;

/** What a call gets while the connection waits for the owner: no refresh is tried (it would be refused again). */
function reconnectNeeded(refusedAt: string): CrmRejectedError {
  return new CrmRejectedError(`Jobber refused the connection's refresh token at ${refusedAt}: reconnect Jobber in Settings`);
}

/** Seconds until the bucket holds `requested` points again (at least 1). */
export function throttleWaitSeconds(requested: number | undefined, status: ThrottleStatus | undefined): number {
  const available = status?.currentlyAvailable ?? 0;
  const rate = status?.restoreRate && status.restoreRate > 0 ? status.restoreRate : 50;
  return Math.max(1, Math.ceil(((requested ?? rate) - available) / rate));
}

/** Per container: the token last read or refreshed for a tenant (the table is the truth). */
const tokenCache = new Map<string, JobberTokenState>();

export class JobberGraphQl {
  constructor(
    private readonly tenantId: string,
    private readonly settings: JobberSettings,
    private readonly credentials: JobberCredentials,
  ) {}

  private get seed(): string {
    return tokenSeed(this.credentials.refreshToken);
  }

  private usable(state: JobberTokenState | undefined): state is JobberTokenState {
    return Boolean(state && state.seed === this.seed && state.expiresAt > Date.now() + EXPIRY_MARGIN_MS);
  }

  /** The current rotation state for this credential (undefined: none yet, or from an older credential). */
  private async current(): Promise<JobberTokenState | undefined> {
    const stored = await readJobberTokens(this.tenantId);
    if (stored?.seed !== this.seed) return stored ? { ...stored, accessToken: '', expiresAt: 0 } : undefined;
    tokenCache.set(this.tenantId, stored);
    return stored;
  }

  /** A usable access token; `force` refreshes even an unexpired one (after a 401, and the setup's check). */
  async accessToken(force = false): Promise<string> {
    const cached = tokenCache.get(this.tenantId);
    if (!force && this.usable(cached)) return cached.accessToken;
    const stored = await this.current();
    if (stored?.seed === this.seed && stored.refusedAt) throw reconnectNeeded(stored.refusedAt);
    if (!force && this.usable(stored)) return stored.accessToken;
    return (await this.refresh(stored)).accessToken;
  }

  /**
   * Rotates the tokens: the stored refresh token of this credential, else the owner's. When Jobber
   * refuses it because another function rotated it meanwhile, that function's tokens are used.
   * Otherwise the token is dead (Jobber rotated it for a process that died before storing the new
   * one, or the app was disconnected): the connection is marked refused and one `setup_required`
   * review item asks the owner to reconnect; no function refreshes again until they do.
   */
  private async refresh(previous: JobberTokenState | undefined): Promise<JobberTokenState> {
    const sameSeed = previous?.seed === this.seed ? previous : undefined;
    let body: { access_token: string; refresh_token?: string; expires_in?: number };
    try {
      ({ body } = await vendorCall<typeof body>('Jobber', 'token refresh', `${this.settings.apiUrl}/api/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: this.credentials.clientId,
          client_secret: this.credentials.clientSecret,
          refresh_token: sameSeed?.refreshToken ?? this.credentials.refreshToken,
        }).toString(),
        timeoutMs: this.settings.timeoutMs,
      }));
    } catch (error) {
      if (!(error instanceof CrmRejectedError)) throw error;
      // OAuth's `invalid_grant` (RFC 6749 5.2) is the refresh token itself refused (Jobber's contract
      // server answers it for a used-up token; inferred for Jobber). A refused client id or secret is
      // the credential's own problem: the setup check names it, and the token stays good.
      const deadToken = (error as RejectedWithCode).vendorCode === 'invalid_grant';
      for (let look = 0; look < ROTATED_ELSEWHERE_LOOKS; look++) {
        const now = await this.current();
        if (now && now.seed === this.seed && now.version !== sameSeed?.version && this.usable(now)) return now;
        if (now?.seed === this.seed && now.refusedAt) throw reconnectNeeded(now.refusedAt);
        if (!deadToken) throw error;
        if (look < ROTATED_ELSEWHERE_LOOKS - 1) await delay(ROTATED_ELSEWHERE_PAUSE_MS);
      }
      const at = new Date();
      if (await markJobberRefused(this.tenantId, this.seed, sameSeed, at)) {
        await reportReconnectNeeded(this.tenantId, 'jobber', error.message, at);
      } else {
        // Marked by another function already, or a concurrent refresh stored working tokens at last.
        const now = await this.current();
        if (now && now.seed === this.seed && !now.refusedAt && this.usable(now)) return now;
      }
      throw reconnectNeeded(at.toISOString());
    }
    const state = {
      accessToken: body.access_token,
      refreshToken: body.refresh_token ?? sameSeed?.refreshToken ?? this.credentials.refreshToken,
      expiresAt: Date.now() + (body.expires_in ?? 3_600) * 1000,
      seed: this.seed,
    };
    if (await saveJobberTokens(this.tenantId, state, previous)) {
      const saved = { ...state, version: sameSeed ? sameSeed.version + 1 : 1 };
      tokenCache.set(this.tenantId, saved);
      // A new credential replaced one Jobber had refused: the owner reconnected.
      if (previous?.refusedAt && !sameSeed) await resolveReconnectNeeded(this.tenantId, 'jobber', new Date());
      return saved;
    }
    // Another refresh was stored first: this answer's tokens still work until Jobber rotates again.
    const winner = await this.current();
    return this.usable(winner) ? winner : { ...state, version: 0 };
  }

  private async post<T>(operation: string, query: string, variables: Record<string, unknown>, token: string) {
    return vendorCall<GraphQlAnswer<T>>('Jobber', operation, `${this.settings.apiUrl}/api/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${token}`,
        'x-jobber-graphql-version': this.settings.apiVersion,
      },
      body: JSON.stringify({ query, variables }),
      timeoutMs: this.settings.timeoutMs,
    });
  }

  /** One query or mutation: its `data`, after one token refresh on 401 and one in-place wait when throttled briefly. */
  async request<T>(operation: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let refreshed = false;
    let waited = false;
    for (;;) {
      let answer: GraphQlAnswer<T>;
      try {
        answer = (await this.post<T>(operation, query, variables, await this.accessToken(refreshed))).body ?? {};
      } catch (error) {
        if (!refreshed && error instanceof CrmRejectedError && /HTTP 401/.test(error.message)) {
          refreshed = true;
          continue;
        }
        throw error;
      }
      const errors = answer.errors ?? [];
      if (errors.some((e) => e.extensions?.code === 'THROTTLED')) {
        const cost = answer.extensions?.cost;
        const seconds = throttleWaitSeconds(cost?.requestedQueryCost, cost?.throttleStatus);
        if (!waited && seconds * 1000 <= THROTTLE_WAIT_IN_PLACE_MS) {
          waited = true;
          await delay(seconds * 1000);
          continue;
        }
        const error = new CrmUnavailableError(
          `Jobber ${operation}: throttled (query cost ${cost?.requestedQueryCost ?? '?'}, ${cost?.throttleStatus?.currentlyAvailable ?? '?'} points available); retry in ${seconds} s`,
        ) as UnavailableWithRetry;
        error.retryAfterSeconds = seconds;
        throw error;
      }
      if (errors.length || answer.data === undefined || answer.data === null) {
        const messages = errors.map((e) => e.message ?? e.extensions?.code ?? 'error').join('; ') || 'no data';
        throw new CrmRejectedError(`Jobber ${operation}: ${messages.slice(0, 300)}`);
      }
      return answer.data;
    }
  }

  /** A mutation's payload (`data[field]`); its `userErrors` are a refusal naming Jobber's messages. */
  async mutate<P extends object>(operation: string, field: string, query: string, variables: Record<string, unknown>): Promise<P> {
    type Payload = P & { userErrors?: Array<{ message: string; path?: string[] }> };
    const data = await this.request<Record<string, Payload | null>>(operation, query, variables);
    const payload = data[field];
    if (!payload) throw new CrmRejectedError(`Jobber ${operation}: no ${field} in the answer`);
    if (payload.userErrors?.length) {
      throw new CrmRejectedError(
        `Jobber ${operation}: ${payload.userErrors.map((e) => `${e.path?.join('.') ?? ''} ${e.message}`.trim()).join('; ')}`.slice(0, 400),
      );
    }
    return payload;
  }
}
