/**
 * What a change to a booking owes once it is written: a cancellation or a reschedule tells the
 * customer and the technicians, notes the timeline, updates the CRM and offers the freed window to a
 * waiting caller (booking/changes.ts); a dispatcher's accept or dismiss (booking/decide.ts) notes the
 * timeline, tells the CRM and closes the approval item (an accept also confirms to the customer and
 * starts the job trail). Those follow the change's transaction, so a run that dies or
 * fails between them would leave the booking changed and nobody told. The transaction therefore also
 * writes a follow-up item (in the booking's partition, on the due index) that the run deletes when
 * every follow-up is done; the recovery sweep does them for a run that did not (recover-stuck.ts).
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactItem } from '../capacity/store';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import { dueItems } from '../shared/dynamo';
import { isConditionalCheckFailed } from '../shared/errors';
import type { BookingRecord } from './store';
import { bookingKeys } from './store';

export const FOLLOW_UP_PARTITION = 'CHANGE_FOLLOW_UP';
/**
 * When the sweep takes over a change's follow-ups: past the longest run that can make a change
 * (Lambda's 15 minutes), so the sweep never does them beside a run that is still doing them.
 */
export const FOLLOW_UP_TAKEOVER_MS = 16 * 60_000;
/** Sweeps that try a change's follow-ups before a person is told instead. */
export const FOLLOW_UP_ATTEMPTS = 3;

type Window = NonNullable<BookingRecord['window']>;

/** A follow-up's sort key prefix, in the booking's partition. */
export const FOLLOW_UP_PREFIX = 'FOLLOW_UP#';

export interface ChangeFollowUp {
  tenantId: string;
  bookingId: string;
  /**
   * `cancelled`, `rescheduled`: a change through the API or a customer's text (booking/changes.ts), which
   * owes the texts, the timeline, the CRM and the offer. `accepted`, `dismissed`: a pending booking
   * dispatch took or turned down (booking/decide.ts): the timeline, the CRM, its approval item, and
   * for an accepted one its confirmation texts and job trail. `cancelled_in_field`,
   * `moved_in_field`: the field service system's (lifecycle/), whose worker tells the rest itself;
   * only the offer is owed.
   */
  change: 'cancelled' | 'rescheduled' | 'accepted' | 'dismissed' | 'cancelled_in_field' | 'moved_in_field';
  /** The change's time: every follow-up is written as of it (the timeline entry's key, the texts' due time). */
  at: string;
  by: string;
  reason?: string;
  /** The window the booking left (freed), if it had one. */
  from?: Window;
  /** A reschedule's new window. */
  to?: Window;
  /** The schedule version the change wrote. */
  version: number;
  /** The waiting caller offered the freed window, written with that offer: a second run offers it to nobody else. */
  offeredLeadId?: string;
  attempts?: number;
  dueAt: string;
}

function followUpKey(tenantId: string, bookingId: string, at: string) {
  return { pk: bookingKeys.partition(tenantId, bookingId), sk: `${FOLLOW_UP_PREFIX}${at}` };
}

export function followUpKeyOf(owed: Pick<ChangeFollowUp, 'tenantId' | 'bookingId' | 'at'>) {
  return followUpKey(owed.tenantId, owed.bookingId, owed.at);
}

/** What each kind of change owes, as a dispatcher reads it (the booking's activity, and the review item when it keeps failing). */
export const OWED_WORK: Record<ChangeFollowUp['change'], string> = {
  cancelled: 'telling the customer, the technician and the CRM, and offering the window to a waiting caller',
  rescheduled: 'telling the customer, the technicians and the CRM the new time, and offering the old window to a waiting caller',
  accepted: 'confirming it to the customer and the CRM, closing its approval item and starting its job trail',
  dismissed: 'telling the CRM and closing its approval item',
  cancelled_in_field: 'offering the window it left to a waiting caller',
  moved_in_field: 'offering the window it left to a waiting caller',
};

/** Each kind of change as a noun ("after the cancellation at ..."). */
export const CHANGE_NAME: Record<ChangeFollowUp['change'], string> = {
  cancelled: 'cancellation',
  rescheduled: 'reschedule',
  accepted: 'acceptance',
  dismissed: 'dismissal',
  cancelled_in_field: 'cancellation in the field',
  moved_in_field: 'move in the field',
};

/** A booking's follow-ups still owed, from the items of its partition (the booking's activity). */
export function owedOf(items: Array<Record<string, unknown>>) {
  return items
    .filter((item) => String(item.sk).startsWith(FOLLOW_UP_PREFIX))
    .map((item) => {
      const owed = item as unknown as ChangeFollowUp;
      return { change: owed.change, name: CHANGE_NAME[owed.change], at: owed.at, dueAt: owed.dueAt, what: OWED_WORK[owed.change] };
    });
}

/** The follow-up item, as a Put for the change's own transaction. */
export function followUpPut(owed: Omit<ChangeFollowUp, 'dueAt'>): { followUp: ChangeFollowUp; item: TransactItem } {
  const followUp: ChangeFollowUp = { ...owed, dueAt: new Date(Date.parse(owed.at) + FOLLOW_UP_TAKEOVER_MS).toISOString() };
  const item = {
    ...followUpKeyOf(followUp),
    type: 'ChangeFollowUp',
    duePk: FOLLOW_UP_PARTITION,
    ...followUp,
  };
  return { followUp, item: { Put: { TableName: config.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } } };
}

/** Every follow-up is done: off the due index. */
export async function clearFollowUp(owed: ChangeFollowUp): Promise<void> {
  await documentClient().send(new DeleteCommand({ TableName: config.tableName, Key: followUpKeyOf(owed) }));
}

/**
 * For an offer's own transaction (leads/store.ts recordOffer): marks the follow-up with the lead
 * offered, and only while no lead has been (a run that died after its offer left it marked).
 */
export function markOfferedItem(owed: ChangeFollowUp, leadId: string): TransactItem {
  return {
    Update: {
      TableName: config.tableName,
      Key: followUpKeyOf(owed),
      UpdateExpression: 'SET offeredLeadId = :lead',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(offeredLeadId)',
      ExpressionAttributeValues: { ':lead': leadId },
    },
  };
}

/** Follow-ups due at `by` (their run did not finish them), oldest first; `tenantId` narrows (tests share one table). */
export async function dueFollowUps(by: Date, limit: number, tenantId?: string): Promise<ChangeFollowUp[]> {
  return (await dueItems(FOLLOW_UP_PARTITION, by, limit, tenantId)) as ChangeFollowUp[];
}

/**
 * The sweep takes a due follow-up: its next look moves on by the takeover time and its attempts
 * count one more, only if nobody took it meanwhile. Answers the item as it now stands (the index may
 * lag: an offer made since is on the item), undefined when another sweep has it or it is done.
 */
export async function takeFollowUp(owed: ChangeFollowUp, at: Date): Promise<ChangeFollowUp | undefined> {
  try {
    const { Attributes } = await documentClient().send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: followUpKeyOf(owed),
        UpdateExpression: 'SET dueAt = :next, attempts = if_not_exists(attempts, :zero) + :one',
        ConditionExpression: 'dueAt = :seen',
        ExpressionAttributeValues: { ':next': new Date(at.getTime() + FOLLOW_UP_TAKEOVER_MS).toISOString(), ':seen': owed.dueAt, ':zero': 0, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as ChangeFollowUp;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}
