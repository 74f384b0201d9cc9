/**
 * Read sync (issue 17 item 2): JobRelay learns the connected CRM's customers, so a caller who is a
 * customer there is recognised before the first question and booked against the CRM's ids.
 * - start (POST /v1/crm/sync, or the schedule): one run per tenant at a time; a backfill reads every
 *   customer, an incremental run those modified since the last finished run began (`watermark`);
 * - a page (CrmReadSyncWorker, one crm-read-sync message per page): read the page at the
 *   checkpointed cursor, store each customer through the recognition store (recognise/store.ts
 *   `upsertCrmCustomer`, keyed by the CRM id, so a page read twice stores nothing twice), then
 *   checkpoint (cursor, counts) on condition the status is still at this page, then ring the next
 *   page. A worker killed anywhere before the checkpoint leaves the message to be delivered again;
 *   it reads the same page from the same cursor;
 * - a throttled or unavailable CRM (429 with Retry-After, 5xx, timeouts): the status waits, and the
 *   same page is rung again after the vendor's Retry-After (or a growing backoff); after
 *   MAX_PAGE_RETRIES the run fails with the error. A refusal (bad credentials) fails it at once;
 * - a refresh (a vendor webhook said these customers changed, crm/read-sync-webhook.ts): the named
 *   customers are read again by id and stored the same way, outside any run; the schedule's
 *   incremental runs still catch whatever a lost webhook missed;
 * - the schedule (CrmReadSyncPoll): for every tenant with a connected CRM, a finished run is
 *   followed by an incremental one; a run whose status has not moved for STALLED_AFTER_MS (its
 *   doorbell lost) is rung again at its checkpoint.
 */
import { ulid } from 'ulid';
import { upsertCrmCustomer } from '../recognise/store';
import { ApiError, CrmRejectedError, CrmUnavailableError } from '../shared/errors';
import { logger } from '../shared/logger';
import { getTenant } from '../tenant/store';
import type { CrmAdapter } from './adapter';
import { crmAdapterFor } from './adapters';
import { type UnavailableWithRetry, withCallBudget } from './adapters/http';
import { getReadSyncStatus, listReadSyncTenants, MAX_DELAY_SECONDS, ringReadSync, startReadSyncRun, updateReadSyncRun } from './read-sync-store';
import type { CrmReadSyncMessage, CrmReadSyncStatus, CrmRefreshMessage } from './read-sync-schemas';

/** Customers per page: a page's vendor calls and writes fit the worker's 60 s with room. */
export const READ_SYNC_PAGE_SIZE = 100;
/** A page may try this many times (throttled or CRM down) before the run fails. */
export const MAX_PAGE_RETRIES = 8;
/** A running sync whose status has not moved for this long lost its doorbell: the schedule rings again. */
export const STALLED_AFTER_MS = 5 * 60_000;
/** Customers of a page stored at once. */
const UPSERT_CONCURRENCY = 10;
/** The vendor calls of one page together. */
const PAGE_BUDGET_MS = 30_000;

async function readerFor(tenantId: string): Promise<{ adapter: CrmAdapter & Required<Pick<CrmAdapter, 'listCustomers'>>; country: string }> {
  const tenant = await getTenant(tenantId);
  if (!tenant) throw new ApiError('not_found', 'No such tenant');
  const adapter = await crmAdapterFor(tenant);
  if (!adapter.listCustomers) {
    throw new ApiError(
      'conflict',
      `The ${tenant.crm.adapter} CRM has no customers to read: connect ServiceTitan, HubSpot, Housecall Pro or Jobber first`,
      'crm.adapter',
    );
  }
  return { adapter: adapter as CrmAdapter & Required<Pick<CrmAdapter, 'listCustomers'>>, country: tenant.country ?? 'US' };
}

/** Starts a run and rings its first page; 409 while another run is moving. */
export async function startCrmReadSync(tenantId: string, mode: CrmReadSyncStatus['mode'], at: Date): Promise<CrmReadSyncStatus> {
  const { adapter } = await readerFor(tenantId);
  const previous = await getReadSyncStatus(tenantId);
  // An incremental run reads from where the last finished run began; without one it is a backfill.
  const modifiedSince = mode === 'incremental' && previous?.adapter === adapter.name ? previous.watermark : undefined;
  const status: CrmReadSyncStatus = {
    tenantId,
    adapter: adapter.name,
    runId: ulid(at.getTime()),
    mode: modifiedSince ? 'incremental' : 'backfill',
    state: 'running',
    pages: 0,
    customers: 0,
    ...(modifiedSince ? { modifiedSince } : {}),
    startedAt: at.toISOString(),
    updatedAt: at.toISOString(),
    retries: 0,
    throttled: 0,
    ...(previous?.watermark && previous.adapter === adapter.name ? { watermark: previous.watermark } : {}),
  };
  if (!(await startReadSyncRun(status, new Date(at.getTime() - STALLED_AFTER_MS)))) {
    throw new ApiError('conflict', 'A CRM sync is already running: follow it with GET /v1/crm/sync', 'mode');
  }
  await ringReadSync({ tenantId, runId: status.runId, page: 0 });
  return status;
}

export type PageOutcome = 'stale' | 'stored' | 'done' | 'waiting' | 'failed';

/** One delivery of a crm-read-sync message. Returns what happened and the DynamoDB writes its customers took. */
export async function runCrmReadSyncPage(message: CrmReadSyncMessage, at: Date): Promise<{ outcome: PageOutcome; customers: number; writes: number }> {
  const status = await getReadSyncStatus(message.tenantId);
  // Another run, a page already checkpointed (a second delivery), or a finished run: nothing to do.
  if (!status || status.runId !== message.runId || status.pages !== message.page || !['running', 'waiting'].includes(status.state)) {
    return { outcome: 'stale', customers: 0, writes: 0 };
  }
  const checkpoint = { runId: status.runId, page: status.pages };
  let reader: Awaited<ReturnType<typeof readerFor>>;
  try {
    reader = await readerFor(message.tenantId);
  } catch (error) {
    await updateReadSyncRun(message.tenantId, checkpoint, { state: 'failed', lastError: (error as Error).message, updatedAt: at.toISOString() });
    return { outcome: 'failed', customers: 0, writes: 0 };
  }
  if (reader.adapter.name !== status.adapter) {
    await updateReadSyncRun(message.tenantId, checkpoint, {
      state: 'failed',
      lastError: `The CRM changed from ${status.adapter} to ${reader.adapter.name} during the sync: start it again`,
      updatedAt: at.toISOString(),
    });
    return { outcome: 'failed', customers: 0, writes: 0 };
  }

  let page: Awaited<ReturnType<CrmAdapter['listCustomers'] & {}>>;
  try {
    page = await withCallBudget(PAGE_BUDGET_MS, () =>
      reader.adapter.listCustomers({ cursor: status.cursor, modifiedSince: status.modifiedSince, pageSize: READ_SYNC_PAGE_SIZE }),
    );
  } catch (error) {
    if (error instanceof CrmUnavailableError && status.retries < MAX_PAGE_RETRIES) {
      const retryAfter = (error as UnavailableWithRetry).retryAfterSeconds;
      // HTTP 429, or a cost limit answered in the body (Jobber's GraphQL THROTTLED).
      const throttled = /HTTP 429|: throttled/.test(error.message);
      // The vendor's Retry-After when it gives one; otherwise 2, 4, 8 ... seconds, at most 5 minutes.
      const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.max(1, retryAfter ?? Math.min(300, 2 ** (status.retries + 1))));
      const moved = await updateReadSyncRun(message.tenantId, checkpoint, {
        state: 'waiting',
        retries: status.retries + 1,
        throttled: status.throttled + (throttled ? 1 : 0),
        retryAt: new Date(at.getTime() + delaySeconds * 1000).toISOString(),
        lastError: error.message,
        updatedAt: at.toISOString(),
      });
      if (moved) await ringReadSync(message, delaySeconds);
      logger.warn('crm read sync: page waits', { tenantId: message.tenantId, page: message.page, delaySeconds, throttled, error: error.message });
      return { outcome: 'waiting', customers: 0, writes: 0 };
    }
    if (error instanceof CrmUnavailableError || error instanceof CrmRejectedError) {
      await updateReadSyncRun(message.tenantId, checkpoint, { state: 'failed', lastError: error.message, updatedAt: at.toISOString() });
      return { outcome: 'failed', customers: 0, writes: 0 };
    }
    throw error; // our own failure: SQS delivers the page again
  }

  let writes = 0;
  let stored = 0;
  // A few customers at once (each is its own keyed upsert; two sharing a phone settle by its claim).
  for (let i = 0; i < page.customers.length; i += UPSERT_CONCURRENCY) {
    const results = await Promise.all(
      page.customers.slice(i, i + UPSERT_CONCURRENCY).map((customer) => upsertCrmCustomer(message.tenantId, status.adapter, customer, reader.country, at)),
    );
    for (const result of results) {
      writes += result.writes;
      if (result.outcome !== 'skipped') stored++;
    }
  }
  const done = !page.nextCursor;
  const checkpointed = await updateReadSyncRun(
    message.tenantId,
    checkpoint,
    {
      pages: status.pages + 1,
      cursor: page.nextCursor,
      state: done ? 'done' : 'running',
      retries: 0,
      retryAt: undefined,
      lastError: undefined,
      updatedAt: at.toISOString(),
      ...(done ? { finishedAt: at.toISOString(), watermark: status.startedAt } : {}),
    },
    { customers: stored },
  );
  writes++;
  if (!checkpointed) return { outcome: 'stale', customers: stored, writes };
  if (!done) await ringReadSync({ tenantId: message.tenantId, runId: status.runId, page: status.pages + 1 });
  return { outcome: done ? 'done' : 'stored', customers: stored, writes };
}

/**
 * The schedule's poll: every tenant with a connected CRM gets an incremental run once its last run
 * is over; a run stalled at its checkpoint (lost doorbell) is rung again. Returns what it did.
 */
export async function pollCrmReadSync(at: Date): Promise<{ started: number; rerung: number }> {
  let started = 0;
  let rerung = 0;
  for (const tenantId of await listReadSyncTenants()) {
    try {
      const tenant = await getTenant(tenantId);
      if (!tenant || !['servicetitan', 'hubspot', 'housecallpro', 'jobber'].includes(tenant.crm.adapter)) continue;
      const status = await getReadSyncStatus(tenantId);
      const active = status && ['running', 'waiting'].includes(status.state);
      if (active && at.getTime() - Date.parse(status.updatedAt) >= STALLED_AFTER_MS) {
        // Rung again; a second ring of a page still in flight is a stale no-op when it arrives.
        await ringReadSync({ tenantId, runId: status.runId, page: status.pages });
        rerung++;
      } else if (!active) {
        await startCrmReadSync(tenantId, 'incremental', at);
        started++;
      }
    } catch (error) {
      logger.warn('crm read sync poll: tenant skipped', { tenantId, error: (error as Error).message });
    }
  }
  return { started, rerung };
}

/**
 * A refresh message: read the named customers again and store them (keyed by CRM id, so a refresh
 * delivered twice stores nothing twice). A tenant whose CRM has changed since the webhook came is
 * left alone. A CRM that is down or throttling throws, and SQS delivers the message again.
 */
export async function refreshCrmCustomers(message: CrmRefreshMessage, at: Date): Promise<{ customers: number; writes: number }> {
  const reader = await readerFor(message.tenantId);
  if (reader.adapter.name !== message.refresh.adapter || !reader.adapter.getCustomers) {
    logger.warn('crm refresh: the CRM changed since the webhook, dropped', { tenantId: message.tenantId, adapter: message.refresh.adapter });
    return { customers: 0, writes: 0 };
  }
  const customers = await withCallBudget(PAGE_BUDGET_MS, () => reader.adapter.getCustomers!(message.refresh.crmIds));
  let writes = 0;
  let stored = 0;
  for (let i = 0; i < customers.length; i += UPSERT_CONCURRENCY) {
    const results = await Promise.all(
      customers.slice(i, i + UPSERT_CONCURRENCY).map((customer) => upsertCrmCustomer(message.tenantId, reader.adapter.name, customer, reader.country, at)),
    );
    for (const result of results) {
      writes += result.writes;
      if (result.outcome !== 'skipped') stored++;
    }
  }
  return { customers: stored, writes };
}
