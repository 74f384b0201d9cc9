/**
 * Everything that happened to one booking, for the operator console: every workflow node's outcome
 * (timeline), every message (the notification ledger, with the text actually sent from the outbox),
 * every CRM write (the sync state on the booking, CRM rows kept in the booking's partition, and the
 * built-in CRM's job record), and its open review items.
 */
import { builtinCrmKeys } from '../crm/adapters/builtin';
import { replyKeys } from '../notify/reply-store';
import { notifyKeys } from '../notify/store';
import { findOpenReviewItems } from '../review/store';
import { getItem, queryPartition } from '../shared/dynamo';
import { ApiError } from '../shared/errors';
import { getCustomer } from '../recognise/store';
import { getJobType, getTenant, listTechnicians } from '../tenant/store';
import { bookingKeys, timelineOf, toPublicBooking, type BookingRecord } from './store';
import { describeTimelineEntry } from './timeline-sentences';
import { owedOf } from './follow-up-store';

export async function bookingActivity(tenantId: string, id: string) {
  const Items = await queryPartition(bookingKeys.partition(tenantId, id), { consistent: true });
  const record = Items.find((item) => item.sk === 'BOOKING') as BookingRecord | undefined;
  if (!record) throw new ApiError('not_found', `No booking ${id}`, 'id');
  const sk = (item: Record<string, unknown>) => String(item.sk);

  // Names instead of ids, and the company's zone, for the sentences and the console.
  const [tenant, jobType, customer, technicians] = await Promise.all([
    getTenant(tenantId),
    getJobType(tenantId, record.jobTypeId),
    record.customerId ? getCustomer(tenantId, record.customerId) : undefined,
    listTechnicians(tenantId),
  ]);
  const names = {
    company: { name: tenant?.name, timeZone: tenant?.timeZone ?? 'America/Chicago' },
    customer: { name: customer?.name ?? record.request.customer.name, phone: customer?.phoneE164 },
    jobType: { name: jobType?.name ?? record.jobTypeId },
    technicians: Object.fromEntries(technicians.map((t) => [t.technicianId, t.name])),
  };
  const context = { timeZone: names.company.timeZone, technicians: names.technicians, customerName: names.customer.name };

  const timeline = timelineOf(Items).map((item) => ({
    at: item.at,
    node: item.node,
    outcome: item.outcome,
    sentence: describeTimelineEntry({ node: item.node, outcome: item.outcome, detail: item.detail }, context),
    ...(item.detail ? { detail: item.detail } : {}),
  }));

  const messages = await Promise.all(
    Items.filter((item) => sk(item).startsWith('NOTIFY#')).map(async (row) => {
      // The row records what was sent (notify/store.ts recordSent); a message sent before that, its outbox item.
      const sent = row.text ? row : row.sentAt ? await getItem(notifyKeys.outboxMessage(tenantId, row.sentAt, id, row.kind)) : undefined;
      return {
        kind: row.kind,
        channel: row.channel,
        status: row.status,
        dueAt: row.dueAt,
        ...(row.queuedAt ? { queuedAt: row.queuedAt } : {}),
        ...(row.sentAt ? { sentAt: row.sentAt } : {}),
        ...(row.technicianId ? { technicianId: row.technicianId } : {}),
        // Why it was not sent (superseded, suppressed, failed): written for the dispatcher.
        ...(row.statusReason ? { reason: row.statusReason } : {}),
        ...(sent ? { to: sent.to, text: sent.text } : {}),
      };
    }),
  );

  const crmRows = Items.filter((item) => /^CRM/i.test(sk(item)) || /crm/i.test(String(item.type ?? '')));
  const builtinJob = await getItem(builtinCrmKeys.job(tenantId, id));
  const crmWrites = [
    ...(record.crm ? [{ kind: 'sync', adapter: record.crm.adapter, externalIds: record.crm.externalIds, at: record.crm.syncedAt }] : []),
    ...crmRows.map(({ pk: _pk, sk: rowSk, ...rest }) => ({ kind: 'record', key: rowSk, ...rest })),
    ...(builtinJob
      ? [
          {
            kind: 'builtin_job',
            adapter: 'builtin',
            at: builtinJob.writtenAt,
            state: builtinJob.state,
            dealStage: builtinJob.dealStage,
            fields: builtinJob.fields,
          },
        ]
      : []),
  ];

  const reviewItems = await findOpenReviewItems(tenantId, { type: 'booking', id });

  // The text conversation with the customer (two-way SMS), oldest first.
  const conversation = Items.filter((item) => sk(item).startsWith(replyKeys.threadPrefix)).map((item) => ({
    at: item.at,
    direction: item.direction,
    text: item.text,
    ...(item.action ? { action: item.action } : {}),
  }));

  return {
    booking: toPublicBooking(record),
    names,
    lifecycle: {
      acceptedAt: record.acceptedAt,
      completedAt: record.completedAt,
      invoicedAt: record.invoicedAt,
      invoicedAmountCents: record.invoicedAmountCents,
      paidAt: record.paidAt,
      paidAmountCents: record.paidAmountCents,
    },
    timeline,
    messages,
    crmWrites,
    reviewItems,
    conversation,
    // A change whose run did not finish what it owes: the recovery sweep does it by `dueAt` (booking/follow-up-store.ts).
    owed: owedOf(Items),
  };
}
