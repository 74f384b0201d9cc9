/**
 * Everything that happened to one booking, for the operator console: every workflow node's outcome
 * (timeline), every message (the notification ledger, with the text actually sent from the outbox),
 * every CRM write (the sync state on the booking, CRM rows kept in the booking's partition, and the
 * built-in CRM's job record), and its open review items.
 */
import { builtinCrmKeys } from '../crm/adapters/builtin';
import { notifyKeys } from '../notify/store';
import { findOpenReviewItems } from '../review/store';
import { getItem, queryPartition } from '../shared/dynamo';
import { ApiError } from '../shared/errors';
import { bookingKeys, toPublicBooking, type BookingRecord } from './store';

export async function bookingActivity(tenantId: string, id: string) {
  const Items = await queryPartition(bookingKeys.partition(tenantId, id), { consistent: true });
  const record = Items.find((item) => item.sk === 'BOOKING') as BookingRecord | undefined;
  if (!record) throw new ApiError('not_found', `No booking ${id}`, 'id');
  const sk = (item: Record<string, unknown>) => String(item.sk);

  const timeline = Items.filter((item) => sk(item).startsWith(bookingKeys.timelinePrefix)).map((item) => ({
    at: item.at,
    node: item.node,
    outcome: item.outcome,
    ...(item.detail ? { detail: item.detail } : {}),
  }));

  const messages = await Promise.all(
    Items.filter((item) => sk(item).startsWith('NOTIFY#')).map(async (row) => {
      const sent = row.sentAt ? await getItem(notifyKeys.outboxMessage(tenantId, row.sentAt, id, row.kind)) : undefined;
      return {
        kind: row.kind,
        channel: row.channel,
        status: row.status,
        dueAt: row.dueAt,
        ...(row.queuedAt ? { queuedAt: row.queuedAt } : {}),
        ...(row.sentAt ? { sentAt: row.sentAt } : {}),
        ...(row.technicianId ? { technicianId: row.technicianId } : {}),
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

  return {
    booking: toPublicBooking(record),
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
  };
}
