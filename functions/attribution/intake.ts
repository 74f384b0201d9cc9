/**
 * What a booking carries in before the workflow runs, and what a person must hear about after:
 * - the summary pre-filled from the job type's summary text when the bot sends none;
 * - the tenant's settings for the booking's marketing source (CRM job type, campaign, business
 *   unit, dispatcher acceptance);
 * - flags: missing attribution (never stored as "unknown": the booking goes through and a
 *   missing_attribution review item is opened) and an LSA lead whose response deadline is near.
 * `planIntake` is pure; `openIntakeReviewItems` writes the review items once the run has settled.
 */
import type { BookingRecord } from '../booking/store';
import type { CreateBookingRequest } from '../booking/schemas';
import { openReviewItem } from '../review/store';
import { ownValue } from '../shared/own';
import type { JobType, SourceSettings, Tenant } from '../tenant/model';

export type BookingFlag = 'missing_attribution' | 'lsa_deadline_near';

export interface IntakePlan {
  summary?: string;
  sourceSettings?: SourceSettings;
  flags: BookingFlag[];
}

/** The tenant's settings for a source: exact key first, then case-insensitive. */
export function sourceSettingsFor(tenant: Pick<Tenant, 'sourceSettings'>, source: string | undefined): SourceSettings | undefined {
  if (!source) return undefined;
  const settings = tenant.sourceSettings ?? {};
  const exact = ownValue(settings, source);
  if (exact) return exact;
  const key = Object.keys(settings).find((k) => k.toLowerCase() === source.trim().toLowerCase());
  return key ? ownValue(settings, key) : undefined;
}

export function planIntake(
  tenant: Pick<Tenant, 'sourceSettings' | 'lsaDeadlineWarningMinutes'>,
  jobType: Pick<JobType, 'summary'> | undefined,
  request: CreateBookingRequest,
  at: Date,
): IntakePlan {
  const flags: BookingFlag[] = [];
  const source = request.attribution?.source?.trim();
  if (!source) flags.push('missing_attribution');
  const deadline = request.attribution?.lsaResponseDeadline;
  if (deadline && Date.parse(deadline) - at.getTime() <= (tenant.lsaDeadlineWarningMinutes ?? 30) * 60_000) flags.push('lsa_deadline_near');
  const summary = request.summary?.trim() || jobType?.summary?.trim() || undefined;
  return { summary, sourceSettings: sourceSettingsFor(tenant, source), flags };
}

/** After the workflow: the review items the booking's intake and outcome call for. */
export async function openIntakeReviewItems(tenantId: string, booking: BookingRecord, at: Date): Promise<void> {
  if (booking.status === 'rejected') return;
  const subject = { type: 'booking', id: booking.bookingId };
  if (booking.flags?.includes('missing_attribution')) {
    await openReviewItem(
      tenantId,
      {
        kind: 'missing_attribution',
        reason: 'The booking arrived without a marketing source; set it so the job is attributable (never recorded as "unknown")',
        subject,
        payload: { channel: booking.channel, attribution: booking.attribution ?? null },
      },
      at,
    );
  }
  if (booking.status === 'pending_approval') {
    const lsaNear = booking.flags?.includes('lsa_deadline_near');
    await openReviewItem(
      tenantId,
      {
        kind: 'pending_approval',
        reason: `Bookings from "${booking.attribution?.source}" need a dispatcher: accept or dismiss it${lsaNear ? ` (LSA lead: respond by ${booking.attribution?.lsaResponseDeadline})` : ''}`,
        subject,
        payload: {
          window: booking.window,
          sourceSettings: booking.sourceSettings,
          ...(lsaNear ? { lsaResponseDeadline: booking.attribution?.lsaResponseDeadline } : {}),
        },
      },
      at,
    );
  }
}
