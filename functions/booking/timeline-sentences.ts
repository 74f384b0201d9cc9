/**
 * A booking's timeline as a dispatcher reads it: each entry one sentence, with dates and times in
 * the company's zone, money as money and names instead of ids ("Held Mon, Nov 30, 8-10 AM with
 * Maria Gonzales"). Pure: the activity route (booking/activity.ts) gives the console these beside
 * the raw entries. A node this does not know still reads as words ("Duplicate check: merged").
 */
import { formatInstant, formatWindow } from '../notify/variables';

export interface SentenceContext {
  timeZone: string;
  /** technicianId -> name */
  technicians: Record<string, string>;
  customerName?: string;
}

interface Entry {
  node: string;
  outcome: string;
  detail?: Record<string, unknown>;
}

const words = (text: string) =>
  text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const str = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/** "Mon, Nov 30, 8-10 AM" for a window-shaped value. */
function windowText(value: unknown, ctx: SentenceContext): string | undefined {
  const w = value as { date?: unknown; start?: unknown; end?: unknown } | null | undefined;
  if (!w || typeof w.date !== 'string') return undefined;
  return formatWindow({ date: w.date, start: str(w.start) ?? '', end: str(w.end) }, ctx.timeZone, 'en').window;
}

const technician = (id: unknown, ctx: SentenceContext) => (typeof id === 'string' ? (ctx.technicians[id] ?? id) : undefined);
const withTechnician = (id: unknown, ctx: SentenceContext) => {
  const name = technician(id, ctx);
  return name ? ` with ${name}` : '';
};
/** Who did it, without the key id a dispatcher cannot use ("Voice agent (key 01H...)" -> "Voice agent"). */
const who = (by: unknown) => {
  const text = str(by);
  if (!text) return '';
  const named = text.replace(/\s*\(key [^)]+\)$/, '');
  return /^key /.test(named) ? ' by an API key' : ` by ${named}`;
};
const because = (reason: unknown) => (str(reason) ? `: ${str(reason)}` : '');
const count = (n: unknown, one: string, many = `${one}s`) => (typeof n === 'number' ? `${n} ${n === 1 ? one : many}` : `some ${many}`);
const kindList = (kinds: unknown) => (Array.isArray(kinds) && kinds.length ? `: ${kinds.map((k) => words(String(k))).join(', ')}` : '');

const CUSTOMER_REPLY: Record<string, string> = {
  customer_confirmed: 'The customer confirmed the visit by text',
  reschedule_offered: 'The customer asked by text to reschedule; three times were offered',
  rescheduled: 'The customer picked a new time by text',
  cancel_asked: 'The customer texted CANCEL; asked them to confirm',
  cancelled: 'The customer confirmed the cancellation by text',
  kept: 'The customer chose to keep the visit',
  customer_reply: 'The customer texted a reply; it is in the dispatcher inbox',
  language_set: "The customer set their messages' language",
  opted_out: 'The customer opted out of texts',
  opted_in: 'The customer opted back in to texts',
  help: 'The customer asked for help by text',
  payment_link_sent: 'The customer asked to pay; the payment link was sent',
  nothing_to_pay: 'The customer asked to pay; nothing is due',
  no_booking: 'The customer texted about a visit that is no longer open',
};

/** A move whose CRM update went to the crm-sync outbox (a dispatch apply). */
const crmQueued = (d: Record<string, unknown>) => (d.crm === 'queued' ? '; the CRM update is queued and written shortly' : '');

/** One sentence for one timeline entry. */
export function describeTimelineEntry(entry: Entry, ctx: SentenceContext): string {
  const d = entry.detail ?? {};
  const key = `${entry.node}:${entry.outcome}`;
  switch (key) {
    case 'RecogniseCustomer:matched':
      return `Recognised ${ctx.customerName ?? 'the customer'} as a returning customer${Array.isArray(d.matchedOn) ? ` (by ${d.matchedOn.join(', ')})` : ''}`;
    case 'RecogniseCustomer:created':
      return `New customer ${ctx.customerName ?? ''}`.trim();
    case 'RecogniseCustomer:suspected_duplicate':
      return 'Might be a customer we already have: booked on a new record for a person to merge or keep apart';
    case 'CheckCapacity:hold_kept':
    case 'CheckCapacity:hold_verified':
      return `Checked the caller's hold for ${windowText(d, ctx) ?? 'the window'}`;
    case 'CheckCapacity:rejected':
      return `No window could be had${because(d.reason)}`;
    case 'CheckCapacity:unconfirmed':
      return 'The schedule data is stale: a person must confirm the time';
    case 'SoftHold:held':
      return `Held ${windowText(d, ctx) ?? 'a window'}${withTechnician(d.technicianId, ctx)}`;
    case 'SoftHold:hold_lost':
      return 'The hold expired before the booking could use it';
    case 'SoftHold:lost_race':
      return `Another booking took the window first${because(d.reason)}`;
    case 'CommitSlot:booked':
      return `Booked ${windowText(d, ctx) ?? ''}${withTechnician(d.technicianId, ctx)}${str(d.status) ? ` (${words(String(d.status))})` : ''}`.replace(
        'Booked  ',
        'Booked ',
      );
    case 'CommitSlot:unconfirmed':
      return 'Recorded without a confirmed slot: a person must confirm the time';
    case 'ScheduleNotifications:scheduled':
      return `Planned the customer's messages${kindList(d.kinds)}`;
    case 'AssignTechnician:kept':
      return `Assigned to ${technician(d.technicianId, ctx) ?? 'the booked technician'}`;
    case 'AssignTechnician:reassigned':
      return `Reassigned from ${technician(d.from, ctx) ?? 'a technician'} to ${technician(d.to, ctx) ?? 'another'}`;
    case 'NotifyTechnician:queued':
      return `Sent the job to ${technician(d.technicianId, ctx) ?? 'the technician'}`;
    case 'NotifyDispatcher:queued':
      return `Alerted dispatch${kindList(d.kinds)}`;
    case 'PrepChecklist:created':
      return `Made the prep checklist (${count(d.items, 'item')})`;
    case 'PrepChecklist:none':
      return 'No prep checklist for this job type';
    case 'MaterialsCheck:listed':
      return `Listed ${count(d.parts, 'part')} to pick`;
    case 'MaterialsCheck:none':
      return 'No parts needed for this job type';
    case 'CloseTrail:closed':
      return 'Post-booking steps all done';
    case 'CloseTrail:closed_with_failures':
      return `Post-booking steps done, with failures${Array.isArray(d.failedSteps) ? `: ${d.failedSteps.map((s) => words(String(s))).join(', ')}` : ''}`;
    case 'CrmSyncWorker:synced':
      return 'Written to the CRM';
    case 'CrmSyncWorker:retry_later':
      return `The CRM write failed${str(d.error) ? ` (${words(String(d.error))})` : ''}; trying again${typeof d.retryInSeconds === 'number' ? ` in ${Math.round(d.retryInSeconds / 60) || 1} min` : ''}`;
    case 'CrmSyncWorker:gave_up':
    case 'CrmSyncWorker:rejected':
      return 'The CRM write failed for good: see the review queue';
    case 'RescheduleBooking:rescheduled':
    case 'ReassignTechnicians:rescheduled':
      return `Moved${windowText(d.from, ctx) ? ` from ${windowText(d.from, ctx)}` : ''} to ${windowText(d.to, ctx) ?? 'a new window'}${withTechnician((d.to as { technicianId?: unknown } | undefined)?.technicianId, ctx)}${who(d.by)}${because(d.reason)}${crmQueued(d)}`;
    case 'RescheduleBooking:reassigned':
    case 'ReassignTechnicians:reassigned':
      return `Reassigned from ${technician((d.from as { technicianId?: unknown } | undefined)?.technicianId, ctx) ?? 'a technician'} to ${technician((d.to as { technicianId?: unknown } | undefined)?.technicianId, ctx) ?? 'another'}${who(d.by)}${because(d.reason)}${crmQueued(d)}`;
    case 'CancelBooking:cancelled':
      return `Cancelled${who(d.by)}${because(d.reason)}`;
    case 'AcceptBooking:accepted':
      return `Accepted${who(d.by)}`;
    case 'DismissBooking:dismissed':
      return `Dismissed${who(d.by)}${because(d.reason)}`;
    case 'ConfirmBooking:confirmed':
      return `Confirmed${who(d.by)}`;
  }
  if (entry.node === 'CustomerReply') return CUSTOMER_REPLY[entry.outcome] ?? `The customer texted: ${words(entry.outcome)}`;
  if (entry.outcome === 'failed') return `${capital(words(entry.node))} failed${str(d.error) ? ` (${words(String(d.error))})` : ''}: see the review queue`;
  if (entry.outcome === 'queued_for_crm_sync') return 'The CRM was not reachable: the write is queued and retried';
  if (typeof d.at === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(d.at)) {
    return `${capital(words(entry.node))}: ${words(entry.outcome)} (${formatInstant(d.at, ctx.timeZone, 'en')})`;
  }
  return `${capital(words(entry.node))}: ${words(entry.outcome)}`;
}
