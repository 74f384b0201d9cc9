/**
 * A renewals run (use case of the RenewalsScan schedule, scan.handler.ts): for the tenants whose
 * local time is the run's hour (RENEWALS_LOCAL_HOUR, 09:00, so every company renews at 9 its own
 * time), and for each membership, today's renewal steps (functions/renewals/cadence.ts): a notice on the ledger, a
 * renewal charge or a retry (through the tenant's payment provider, Stripe in production), a lapse
 * with its win-back sequence. Ledger rows and charge attempts have deterministic ids, so a second run
 * the same day (a retry, a redelivered schedule) sends and charges nothing twice. A tenant with no
 * payment provider set up in AWS is charged nothing and gets a `setup_required` review item.
 */
import { addLedgerRows } from '../notify/queue-now';
import { findOpenReviewItems, openReviewItem } from '../review/store';
import { logger } from '../shared/logger';
import { getTenant } from '../tenant/store';
import { addDays, DAY_MS, zonedClock, zonedDate, zonedInstant } from '../shared/zoned-time';
import { nextRenewal, renewalSteps, RETRY_AFTER_DAYS, WINBACK_AFTER_DAYS, type RenewalStep } from './cadence';
import { openSetupItem } from '../review/setup';
import { SecretNotSetError } from '../shared/secrets';
import { SetupRequiredError } from '../tenant/setup';
import type { Tenant } from '../tenant/model';
import { paymentProviderFor, PaymentProviderUnavailableError, type ChargeRequest, type ChargeResult, type PaymentProvider } from './payments';
import {
  claimChargeAttempt,
  getMembership,
  listRenewalTenants,
  listTenantMemberships,
  membershipSubject,
  recordChargeAttempt,
  updateMembership,
  type ChargeAttempt,
  type Membership,
} from './store';

/** The local hour (tenant's time zone) at which its renewals run; the schedule runs every hour. */
export const RENEWALS_LOCAL_HOUR = 9;

/** Tries of one charge attempt in one run when the processor is unreachable (same idempotency key). */
const UNAVAILABLE_TRIES = 3;

/** The tenant's processor, resolved once per run; undefined (and a setup item) when it is not set up. */
type ProviderOf = () => Promise<PaymentProvider | undefined>;

function providerOnce(tenant: Tenant, at: Date): ProviderOf {
  let resolved: Promise<PaymentProvider | undefined> | undefined;
  return () =>
    (resolved ??= paymentProviderFor(tenant).catch(async (error: unknown) => {
      if (!(error instanceof SetupRequiredError) && !(error instanceof SecretNotSetError)) throw error;
      await openSetupItem(tenant.tenantId, 'payments', (error as Error).message, at);
      return undefined;
    }));
}

/** One attempt, retried with the same idempotency key while the processor is unreachable. */
async function chargeWithRetry(provider: PaymentProvider, request: ChargeRequest): Promise<ChargeResult> {
  for (let tryNumber = 1; ; tryNumber++) {
    try {
      return await provider.charge(request);
    } catch (error) {
      if (!(error instanceof PaymentProviderUnavailableError) || tryNumber >= UNAVAILABLE_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** tryNumber));
    }
  }
}

export interface RenewalsSummary {
  memberships: number;
  notices: number;
  charges: number;
  renewed: number;
  failed: number;
  lapsed: number;
}

/** Something a person must look at (one open item per membership): never a silent failure. */
async function reviewMembership(m: Membership, reason: string, payload: Record<string, unknown>, at: Date): Promise<void> {
  const subject = { type: 'membership', id: m.membershipId };
  if ((await findOpenReviewItems(m.tenantId, subject, 'workflow_failed')).length) return;
  await openReviewItem(m.tenantId, { kind: 'workflow_failed', reason, subject, payload: { node: 'RenewalsScan', customerId: m.customerId, ...payload } }, at);
}

async function notice(m: Membership, kind: Parameters<typeof addLedgerRows>[2][number]['kind'], cycle: string, dueAt: string, at: Date): Promise<number> {
  return addLedgerRows(m.tenantId, membershipSubject(m.membershipId, cycle), [{ kind, channel: 'sms', dueAt }], { at });
}

async function lapse(m: Membership, cycle: string, today: string, at: Date, summary: RenewalsSummary): Promise<Membership | undefined> {
  const next = await updateMembership(m, { status: 'lapsed', lapsedOn: today }, at);
  if (!next) return undefined;
  summary.lapsed++;
  for (const [kind, days] of WINBACK_AFTER_DAYS) summary.notices += await notice(next, kind, cycle, new Date(+at + days * DAY_MS).toISOString(), at);
  return next;
}

async function charge(
  m: Membership,
  step: Extract<RenewalStep, { type: 'charge' }>,
  today: string,
  at: Date,
  summary: RenewalsSummary,
  providerOf: ProviderOf,
): Promise<Membership | undefined> {
  // No processor set up: nothing is claimed or charged (the setup item says why); tomorrow tries again.
  const provider = await providerOf();
  if (!provider) return undefined;
  const claim = await claimChargeAttempt(m, step.cycle, step.attempt, at);
  let result: ChargeAttempt;
  if (claim.claimed) {
    const charged = await chargeWithRetry(provider, {
      idempotencyKey: `${m.tenantId}:${m.membershipId}:${step.cycle}:${step.attempt}`,
      amountCents: m.priceCents,
      token: m.paymentMethod.token,
      customerRef: m.paymentMethod.customerRef,
      today,
      description: `${m.plan} renewal`,
      metadata: { tenant: m.tenantId, membership: m.membershipId, cycle: step.cycle, attempt: String(step.attempt) },
    });
    result = charged.ok
      ? { outcome: 'paid', chargeId: charged.chargeId, at: at.toISOString() }
      : { outcome: 'declined', reason: charged.reason, at: at.toISOString() };
    await recordChargeAttempt(m, step.cycle, step.attempt, result);
    summary.charges++;
  } else if (claim.existing.outcome === 'pending') {
    // An earlier run claimed it and did not finish: the processor's idempotency key makes a retry safe,
    // but this provider has no lookup, so leave it for a person (logged) rather than charge blind.
    logger.warn('renewal charge attempt left pending by an earlier run', {
      tenantId: m.tenantId,
      membershipId: m.membershipId,
      cycle: step.cycle,
      attempt: step.attempt,
    });
    await reviewMembership(
      m,
      `Renewal charge ${step.attempt} for ${step.cycle} was started but its outcome was never recorded: check the payment provider before charging again`,
      { cycle: step.cycle, attempt: step.attempt },
      at,
    );
    return undefined;
  } else {
    result = claim.existing;
  }
  if (result.outcome === 'paid') {
    const next = await updateMembership(
      m,
      { status: 'active', renewsOn: nextRenewal(step.cycle, m.termMonths), chargeAttempts: 0, lastChargeId: result.chargeId },
      at,
    );
    if (next) {
      summary.renewed++;
      summary.notices += await notice(next, 'renewal_confirmed', step.cycle, at.toISOString(), at);
    }
    return next;
  }
  const next = await updateMembership(m, { status: 'past_due', chargeAttempts: step.attempt + 1 }, at);
  if (!next) return undefined;
  summary.failed++;
  if (step.attempt === 0) summary.notices += await notice(next, 'renewal_payment_failed', step.cycle, at.toISOString(), at);
  // The last retry failed: lapse now, not tomorrow.
  if (step.attempt >= RETRY_AFTER_DAYS.length) return lapse(next, step.cycle, today, at, summary);
  return next;
}

/**
 * When the day's renewal notices go out: the tenant's chosen local hour (renewalNoticeHour), the
 * next time it comes round, not whenever the scan happens to run.
 */
export function renewalNoticeAt(at: Date, tenant: Pick<Tenant, 'timeZone' | 'renewalNoticeHour'>): string {
  const today = zonedDate(at, tenant.timeZone);
  const noticeClock = `${String(tenant.renewalNoticeHour ?? 10).padStart(2, '0')}:00`;
  // Still this hour: a scan late in the notice hour sends now; past it, the same hour tomorrow.
  const hourStarted = zonedInstant(today, tenant.timeZone, `${zonedClock(at, tenant.timeZone).slice(0, 2)}:00`);
  let due = zonedInstant(today, tenant.timeZone, noticeClock);
  if (due < hourStarted) due = zonedInstant(addDays(today, 1), tenant.timeZone, noticeClock);
  return due < at ? at.toISOString() : due.toISOString();
}

async function runMembership(
  start: Membership,
  today: string,
  at: Date,
  summary: RenewalsSummary,
  providerOf: ProviderOf,
  noticeAt = at.toISOString(),
): Promise<void> {
  let m: Membership | undefined = start;
  // A charge or lapse changes what is due today (renewed: maybe nothing; failed: nothing until the retry day).
  for (let round = 0; m && round < 3; round++) {
    const steps = renewalSteps(m, today);
    if (!steps.length) return;
    let changed = false;
    for (const step of steps) {
      if (step.type === 'notice') summary.notices += await notice(m!, step.kind, step.cycle, noticeAt, at);
      else if (step.type === 'charge') {
        m = await charge(m!, step, today, at, summary, providerOf);
        changed = true;
        break;
      } else {
        m = await lapse(m!, step.cycle, today, at, summary);
        changed = true;
        break;
      }
    }
    if (!changed) return;
  }
}

/**
 * One scan. `localHour` takes only the tenants whose local time at `at` is in that hour (the hourly
 * schedule passes RENEWALS_LOCAL_HOUR); `tenantIds` limits it (tests run side by side on one table).
 */
export async function runRenewals(at: Date, options: { tenantIds?: string[]; localHour?: number } = {}): Promise<RenewalsSummary> {
  const summary: RenewalsSummary = { memberships: 0, notices: 0, charges: 0, renewed: 0, failed: 0, lapsed: 0 };
  const tenantIds = options.tenantIds ?? (await listRenewalTenants());
  for (const tenantId of tenantIds) {
    const tenant = await getTenant(tenantId);
    if (!tenant) continue;
    if (options.localHour !== undefined && Number(zonedClock(at, tenant.timeZone).slice(0, 2)) !== options.localHour) continue;
    const today = zonedDate(at, tenant.timeZone);
    const providerOf = providerOnce(tenant, at);
    for (const entry of await listTenantMemberships(tenantId)) {
      const m = await getMembership(tenantId, entry.customerId, entry.membershipId);
      if (!m || m.status === 'cancelled' || m.status === 'lapsed') continue;
      summary.memberships++;
      try {
        await runMembership(m, today, at, summary, providerOf, renewalNoticeAt(at, tenant));
      } catch (error) {
        // One membership never stops the scan; tomorrow's run (or a re-run today) picks it up again.
        logger.error('renewal step failed', { tenantId, membershipId: m.membershipId, error: error as Error });
        await reviewMembership(
          m,
          `Renewal step failed: ${(error as Error).name}: ${(error as Error).message} — the next scan tries again`,
          { error: (error as Error).name },
          at,
        ).catch(() => undefined);
      }
    }
  }
  return summary;
}
