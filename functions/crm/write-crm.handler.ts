/**
 * Booking node WriteCrm: customer upsert, job record and deal stage through the tenant's mapping
 * table and adapter, with source fields and the transcript as a note. A CRM that is down
 * (CrmUnavailableError, also when its calls run past this node's budget) goes to the Catch path,
 * which keeps the booking as pending_crm_sync and puts the write in the crm-sync outbox; a CRM that
 * refuses it goes to review at once.
 */
import { CrmRejectedError, CrmUnavailableError, InvariantError, type NodeRaises } from '../shared/errors';
import { factsOf } from '../booking/facts';
import { workflowNode } from '../shared/node';
import { now } from '../shared/time';
import { DEFAULT_CRM_WRITE_BUDGET_MS, writeBookingToCrm } from './write';

/** Kept back from the node's time for reading the booking before and recording the result after. */
export const WRITE_CRM_RESERVE_MS = 1_500;

/** What this node throws on purpose; its Task in the ASL catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = {
  errors: [CrmUnavailableError, CrmRejectedError, InvariantError],
  catchAll:
    'RecordReviewItem applies crm/sync-policy.ts: a refusal goes to review, anything else to the crm-sync outbox (no Retry: the 29 s budget has room for one try)',
};

export const handler = workflowNode('WriteCrm', async (state, context) => {
  const { tenantId, bookingId } = state;
  // The CRM calls end inside this node's time: a slow CRM is CrmUnavailableError (the outbox), never
  // a Lambda timeout that the workflow could only guess about.
  const left = context?.getRemainingTimeInMillis?.() ?? DEFAULT_CRM_WRITE_BUDGET_MS + WRITE_CRM_RESERVE_MS;
  const budgetMs = Math.max(250, Math.min(DEFAULT_CRM_WRITE_BUDGET_MS, left - WRITE_CRM_RESERVE_MS));
  // The configuration version and job type the route read travel in the run (booking/facts.ts), and
  // the customer RecogniseCustomer settled ($.customer: `matched` false is a record it created).
  const customer = state.customer ? { customerId: state.customer.customerId, isNew: state.customer.matched === false } : undefined;
  const result = await writeBookingToCrm(tenantId, bookingId, now(), { node: 'WriteCrm', budgetMs, facts: { ...factsOf(state), customer } });
  // Where it went, as recorded on the booking: CommitSlot's answer carries it (the route does not read the booking).
  return { status: 'written' as const, externalIds: result.externalIds, record: result.record };
});
