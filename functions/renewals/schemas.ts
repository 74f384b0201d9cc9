/** Membership (service agreement) API shapes. */
import * as z from '../shared/zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

export const MembershipParamsSchema = z.object({
  customerId: z.string().min(1).max(64),
  membershipId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected letters, digits, - or _')
    .optional(),
});

export const PutMembershipRequestSchema = z
  .object({
    plan: z.string().trim().min(1).max(100).openapi({ example: 'Comfort Club' }),
    priceCents: z.number().int().min(0).max(10_000_000),
    termMonths: z.number().int().min(1).max(60).default(12),
    renewsOn: isoDate.openapi({ description: 'When the current term ends and the renewal is charged' }),
    autoRenew: z.boolean().default(true),
    includedVisits: z
      .number()
      .int()
      .min(0)
      .max(52)
      .optional()
      .openapi({ description: "Visits the plan includes per term (e.g. 2 tune-ups a year): a member's completed jobs count against it" }),
    paymentToken: z.string().min(1).max(200).optional().openapi({
      description:
        'The saved card at the payment provider (Stripe: a PaymentMethod pm_...; local provider: tok_ok, tok_declined, tok_declined_until_YYYY-MM-DD)',
    }),
    paymentCustomerId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,100}$/, 'the customer id at the payment provider (Stripe: cus_...)')
      .optional()
      .openapi({ description: 'The customer the card is saved on at the payment provider (Stripe: cus_...)' }),
    status: z.enum(['active', 'cancelled']).default('active'),
  })
  .openapi('PutMembershipRequest');

export const MembershipSchema = z
  .object({
    membershipId: z.string(),
    customerId: z.string(),
    plan: z.string(),
    priceCents: z.number().int(),
    termMonths: z.number().int(),
    startedOn: z.string(),
    renewsOn: z.string(),
    autoRenew: z.boolean(),
    status: z.enum(['active', 'past_due', 'lapsed', 'cancelled']),
    chargeAttempts: z.number().int(),
    includedVisits: z.number().int().optional(),
    visitsUsed: z.number().int().openapi({ description: "The member's completed visits counted against the current term" }),
    lapsedOn: z.string().optional(),
    updatedAt: z.string(),
  })
  .openapi('Membership');
