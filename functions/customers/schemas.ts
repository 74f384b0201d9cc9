/** POST /v1/customers/lookup: recognise a caller before the first question. */
import { AddressSchema } from '../booking/schemas';
import * as z from '../shared/zod';

export const CustomerLookupRequestSchema = z
  .object({
    phone: z.string().trim().min(7).max(32).optional().openapi({ example: '+1 512 555 0142' }),
    email: z.email().max(254).optional(),
    address: AddressSchema.optional(),
    /** The caller's name, when known: tells an uncertain match (same address, another person) from a match. */
    name: z.string().trim().min(1).max(200).optional(),
  })
  .refine((body) => body.phone || body.email || body.address, { message: 'give a phone, an email or an address', path: ['phone'] })
  .openapi('CustomerLookupRequest');

const AddressOut = z.object({
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  region: z.string(),
  postalCode: z.string(),
  country: z.string(),
});

export const CustomerProfileSchema = z
  .object({
    customerId: z.string(),
    name: z.string(),
    phone: z.string().openapi({ description: 'E.164' }),
    email: z.string().optional(),
    locations: z.array(AddressOut),
    serviceHistory: z.array(
      z.object({
        bookingId: z.string().optional(),
        date: z.string(),
        jobType: z.string(),
        summary: z.string().optional(),
        technicianId: z.string().optional(),
      }),
    ),
    equipment: z.array(
      z.object({
        kind: z.string(),
        make: z.string().optional(),
        model: z.string().optional(),
        installedOn: z.string().optional(),
        warrantyUntil: z.string().optional(),
      }),
    ),
    membership: z.object({ status: z.enum(['none', 'active', 'lapsed', 'cancelled']), plan: z.string().optional(), renewsOn: z.string().optional() }),
    openEstimates: z.array(z.object({ estimateId: z.string(), summary: z.string(), amount: z.number().optional(), createdAt: z.string() })),
    communicationPreferences: z.object({
      channels: z.array(z.enum(['sms', 'email', 'call'])),
      quietHours: z.object({ start: z.string(), end: z.string() }).optional(),
      optedOut: z.boolean(),
    }),
  })
  .openapi('CustomerProfile');

export const CustomerLookupResponseSchema = z
  .object({
    match: z.enum(['matched', 'uncertain', 'none']).openapi({
      description: 'matched: this is the caller. uncertain: a record shares the phone, email or address but carries another name. none: a new customer.',
    }),
    matchedOn: z.array(z.enum(['phone', 'email', 'address'])),
    customer: CustomerProfileSchema.nullable(),
    candidates: z.array(CustomerProfileSchema).openapi({ description: 'Other records that share a key with the caller' }),
  })
  .openapi('CustomerLookupResponse');
