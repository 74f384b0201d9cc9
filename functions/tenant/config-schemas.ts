/** What an owner may configure through /v1/config/... (zod: validation, types and OpenAPI). */
import { checkTemplates } from '../notify/schemas';
import { isIanaTimeZone } from '../shared/time-zone';
import * as z from '../shared/zod';
import { JobTypeSchema, TechnicianSchema, TenantSchema } from './model';

type Window = { start: string; end: string };

/** Windows must each start before they end, in order, without overlapping. */
function checkWindows(windows: Window[], path: string, ctx: z.RefinementCtx): void {
  windows.forEach((w, i) => {
    if (w.start >= w.end) ctx.addIssue({ code: 'custom', path: [path, i, 'end'], message: 'end must be after start' });
    const previous = windows[i - 1];
    if (previous && previous.end > w.start) ctx.addIssue({ code: 'custom', path: [path, i, 'start'], message: 'windows must be in order and not overlap' });
  });
}

export const CompanySettingsSchema = TenantSchema.pick({
  name: true,
  timeZone: true,
  country: true,
  arrivalWindows: true,
  afterHoursWindows: true,
  holdMinutes: true,
  bookingHorizonDays: true,
  onCallRotation: true,
  defaultDailyJobLimit: true,
  emergencyReserve: true,
  memberReserve: true,
  travelBufferMinutes: true,
  travelModel: true,
  scheduleSource: true,
  dispatch: true,
  messaging: true,
  reviewUrl: true,
  reviewRequestDelayHours: true,
  renewalNoticeHour: true,
  payments: true,
  sourceSettings: true,
  lsaDeadlineWarningMinutes: true,
  triage: true,
  crmSync: true,
})
  .superRefine(async (settings, ctx) => {
    if (!isIanaTimeZone(settings.timeZone)) {
      ctx.addIssue({ code: 'custom', path: ['timeZone'], message: 'not an IANA time zone (e.g. America/Chicago)' });
    }
    checkWindows(settings.arrivalWindows, 'arrivalWindows', ctx);
    await checkTemplates(settings.messaging.templates, ['messaging', 'templates'], ctx);
    checkWindows(settings.afterHoursWindows, 'afterHoursWindows', ctx);
    if (settings.emergencyReserve >= settings.defaultDailyJobLimit) {
      ctx.addIssue({ code: 'custom', path: ['emergencyReserve'], message: 'must be less than defaultDailyJobLimit' });
    }
    if (settings.emergencyReserve + settings.memberReserve >= settings.defaultDailyJobLimit) {
      ctx.addIssue({ code: 'custom', path: ['memberReserve'], message: 'emergencyReserve + memberReserve must be less than defaultDailyJobLimit' });
    }
    settings.onCallRotation.forEach((r, i) => {
      if (r.from > r.to) ctx.addIssue({ code: 'custom', path: ['onCallRotation', i, 'to'], message: 'to must not be before from' });
    });
  })
  .openapi('CompanySettings');

export const TechnicianInputSchema = TechnicianSchema.omit({ technicianId: true })
  .superRefine((technician, ctx) => {
    for (const [day, shift] of Object.entries(technician.shifts)) {
      if (shift && shift.start >= shift.end) ctx.addIssue({ code: 'custom', path: ['shifts', day, 'end'], message: 'end must be after start' });
    }
    technician.timeOff.forEach((off, i) => {
      if (off.from > off.to) ctx.addIssue({ code: 'custom', path: ['timeOff', i, 'to'], message: 'to must not be before from' });
    });
  })
  .openapi('TechnicianInput');

export const JobTypeInputSchema = JobTypeSchema.omit({ jobTypeId: true }).openapi('JobTypeInput');

export const CatalogueIdParamsSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (1-64)') });
