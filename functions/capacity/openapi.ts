/** OpenAPI paths of the capacity and configuration routes (registered by functions/api/openapi.ts). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import * as z from '../shared/zod';
import { ErrorSchema, json, registerRoute, security, standardErrors } from '../api/openapi-common';
import { BookingIdParamsSchema, BookingSchema } from '../booking/schemas';
import { JobTypeSchema, TechnicianSchema } from '../tenant/model';
import { CatalogueIdParamsSchema, CompanySettingsSchema, JobTypeInputSchema, TechnicianInputSchema } from '../tenant/config-schemas';
import { SetupWarningSchema } from '../tenant/setup';
import {
  AvailabilityQuerySchema,
  AvailabilityResponseSchema,
  CreateHoldRequestSchema,
  HoldIdParamsSchema,
  HoldSchema,
  ScheduleSyncRequestSchema,
  WindowSchema,
} from './schemas';

const errors = standardErrors;

export function registerCapacityPaths(registry: OpenAPIRegistry): void {
  registerRoute(registry, 'getAvailability', {
    security,
    summary: 'Windows a qualified technician covering the address can really serve (emergency: same-day and on-call)',
    request: { query: AvailabilityQuerySchema },
    responses: { 200: json(AvailabilityResponseSchema, 'Open windows, or why none and what is next'), ...errors },
  });
  registerRoute(registry, 'createHold', {
    security,
    summary: "Soft-hold a window for the company's hold minutes; it expires by itself",
    request: { body: { content: { 'application/json': { schema: CreateHoldRequestSchema } } } },
    responses: {
      201: json(HoldSchema, 'The hold'),
      ...errors,
      409: json(ErrorSchema.extend({ alternatives: z.array(WindowSchema) }), 'Nothing to hold: alternatives'),
    },
  });
  for (const method of ['get', 'delete'] as const) {
    registerRoute(registry, method === 'get' ? 'getHold' : 'releaseHold', {
      security,
      summary: method === 'get' ? 'A hold and its state' : 'Release a hold (its window is offered again)',
      request: { params: HoldIdParamsSchema },
      responses: {
        200: json(method === 'get' ? HoldSchema : z.object({ holdId: z.string(), status: z.literal('RELEASED') }), 'The hold'),
        ...errors,
        404: json(ErrorSchema, 'No such hold'),
        409: json(ErrorSchema, 'Already booked'),
      },
    });
  }
  registerRoute(registry, 'getCompanySettings', {
    security,
    summary: 'Company settings (admin)',
    responses: {
      200: json(CompanySettingsSchema.and(z.object({ warnings: z.array(SetupWarningSchema) })), 'Settings, and what is still to set up'),
      ...errors,
    },
  });
  registerRoute(registry, 'putCompanySettings', {
    security,
    summary: 'Arrival windows, time zone, hold minutes, daily limits, emergency reserve, on-call rotation, schedule source (admin)',
    request: { body: { content: { 'application/json': { schema: CompanySettingsSchema } } } },
    responses: {
      200: json(CompanySettingsSchema.and(z.object({ warnings: z.array(SetupWarningSchema) })), 'Saved settings, and what is still to set up'),
      ...errors,
    },
  });
  const catalogue = [
    { path: 'technicians', item: TechnicianSchema, input: TechnicianInputSchema, name: 'Technician' },
    { path: 'job-types', item: JobTypeSchema, input: JobTypeInputSchema, name: 'JobType' },
  ] as const;
  for (const { path, item, input, name } of catalogue) {
    registerRoute(registry, `list${name}s`, {
      security,
      summary: `All ${path} (admin)`,
      responses: { 200: json(z.object({ items: z.array(item) }), 'Items'), ...errors },
    });
    // A technician write changes the company's technicians version in the same transaction
    // (tenant/store.ts): one that meets other technician saves at that moment every time is refused whole.
    const contended: Record<number, ReturnType<typeof json>> = name === 'Technician'
      ? {
          503: json(
            ErrorSchema,
            "Other changes to this company's technicians were being saved at the same moment: nothing was changed, retry after Retry-After",
          ),
        }
      : {};
    registerRoute(registry, `put${name}`, {
      security,
      summary: `Create or replace a ${name} (admin)`,
      request: { params: CatalogueIdParamsSchema, body: { content: { 'application/json': { schema: input } } } },
      responses: {
        200: json(item, 'Saved'),
        ...errors,
        ...(name === 'Technician' ? { 404: json(ErrorSchema, 'This account has no configuration yet') } : {}),
        ...contended,
      },
    });
    registerRoute(registry, `delete${name}`, {
      security,
      summary: `Remove a ${name} (admin)`,
      request: { params: CatalogueIdParamsSchema },
      responses: { 204: { description: 'Removed' }, ...errors, 404: json(ErrorSchema, 'No such item'), ...contended },
    });
  }
  registerRoute(registry, 'syncSchedule', {
    security,
    summary: "The FSM's existing jobs consume capacity; marks the schedule data fresh (admin)",
    request: { body: { content: { 'application/json': { schema: ScheduleSyncRequestSchema } } } },
    responses: {
      200: json(
        z.object({
          synced: z.number(),
          unchanged: z.number(),
          conflicts: z.array(z.object({ externalId: z.string(), reason: z.string() })),
          lastSyncAt: z.string(),
        }),
        'What was synced',
      ),
      ...errors,
    },
  });
  registerRoute(registry, 'confirmBooking', {
    security,
    summary: 'Dispatch confirms a pending_confirmation booking (it kept its slot while it waited)',
    request: { params: BookingIdParamsSchema },
    responses: {
      200: json(BookingSchema, 'The confirmed booking'),
      ...errors,
      404: json(ErrorSchema, 'No such booking'),
      409: json(ErrorSchema, 'Not pending_confirmation, or no slot'),
    },
  });
}
