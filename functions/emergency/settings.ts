/**
 * A tenant's emergency settings (TenantSchema.emergency): how long an emergency may wait for a
 * window before it is dispatched now, how on-call pages go round, when the manager hears of it, and
 * how much of a same-day window must be left for a technician to arrive in it.
 */
import * as z from '../shared/zod';
import { lazyShape } from '../shared/lazy-shape';

export const EMERGENCY_DEFAULTS = {
  maxWaitMinutes: 180,
  pageTimeoutMinutes: 5,
  escalateAfterMinutes: 15,
  minArrivalMinutes: 60,
  etaMinutes: 90,
} as const;

// Fields are built on first use, not at import (functions/shared/lazy-shape.ts: issue 19, cold init).
export const EmergencySettingsSchema = z
  .object(
    lazyShape({
      /** An emergency whose first honourable window starts later than this from now is dispatched now. */
      maxWaitMinutes: () =>
        z
          .number()
          .int()
          .min(15)
          .max(24 * 60)
          .default(EMERGENCY_DEFAULTS.maxWaitMinutes),
      /** How long a paged on-call technician has to answer before the next one is paged. */
      pageTimeoutMinutes: () => z.number().int().min(1).max(60).default(EMERGENCY_DEFAULTS.pageTimeoutMinutes),
      /** Nobody accepted this long after the first page: the on-call manager is escalated (SMS + review item). */
      escalateAfterMinutes: () => z.number().int().min(1).max(240).default(EMERGENCY_DEFAULTS.escalateAfterMinutes),
      /** A same-day window needs at least this much time left before it ends for a technician to arrive in it. */
      minArrivalMinutes: () => z.number().int().min(0).max(480).default(EMERGENCY_DEFAULTS.minArrivalMinutes),
      /** Arrival promised when an on-call technician accepts a page: the same-day window runs from acceptance to this much later. */
      etaMinutes: () => z.number().int().min(15).max(480).default(EMERGENCY_DEFAULTS.etaMinutes),
    }),
  )
  .default(EMERGENCY_DEFAULTS);
export type EmergencySettings = z.infer<typeof EmergencySettingsSchema>;
