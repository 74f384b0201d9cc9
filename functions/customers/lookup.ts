/**
 * Finding a caller (POST /v1/customers/lookup, customers/lookup-customer.handler.ts): by normalised
 * phone (E.164), lowercased email or normalised service address, with what the company knows about them.
 */
import { normalizeAddress } from '../recognise/address';
import { decideMatch, similarNames } from '../recognise/match';
import { normalizeEmail, normalizePhone } from '../recognise/phone';
import { findCandidates, type CustomerRecord } from '../recognise/store';
import { ApiError } from '../shared/errors';
import { getTenantPart } from '../tenant/store';
import type * as z from '../shared/zod';
import type { CustomerLookupRequestSchema } from './schemas';

function toProfile(customer: CustomerRecord) {
  return {
    customerId: customer.customerId,
    name: customer.name,
    phone: customer.phoneE164,
    ...(customer.email ? { email: customer.email } : {}),
    locations: customer.addresses,
    serviceHistory: customer.serviceHistory,
    equipment: customer.equipment,
    membership: customer.membership,
    openEstimates: customer.openEstimates,
    communicationPreferences: customer.communicationPreferences,
  };
}

export async function lookupCustomer(tenantId: string, body: z.infer<typeof CustomerLookupRequestSchema>) {
  const country = body.address?.country ?? (await getTenantPart(tenantId, ['country']))?.country ?? 'US';
  const phoneE164 = body.phone ? normalizePhone(body.phone, country) : undefined;
  if (body.phone && !phoneE164) throw new ApiError('invalid_request', 'phone: not a valid phone number', 'phone');
  const email = normalizeEmail(body.email);
  const found = await findCandidates(tenantId, { phoneE164, email, addressKey: body.address ? normalizeAddress(body.address) : undefined });
  const all = [found.byPhone, found.byEmail, ...found.byAddress].filter(
    (c, i, list): c is CustomerRecord => Boolean(c) && list.findIndex((d) => d?.customerId === c!.customerId) === i,
  );

  let customer: CustomerRecord | undefined;
  let match: 'matched' | 'uncertain' | 'none' = 'none';
  if (body.name && body.address) {
    const decision = decideMatch({ name: body.name, phoneE164: phoneE164 ?? '', email, address: body.address }, found);
    if (decision.kind === 'match') [customer, match] = [decision.customer, 'matched'];
    else if (decision.kind === 'uncertain') match = 'uncertain';
  } else {
    // Without both a name and an address: a phone or email claim identifies one customer; an address
    // alone (or a name that disagrees) is only a candidate.
    const claimed = found.byPhone ?? found.byEmail;
    if (claimed && (!body.name || similarNames(claimed.name, body.name))) [customer, match] = [claimed, 'matched'];
    else if (all.length && body.name) {
      customer = all.find((c) => similarNames(c.name, body.name!));
      match = customer ? 'matched' : 'uncertain';
    } else if (all.length === 1 && !claimed) {
      // An address alone, one customer there: that is who lives there.
      [customer, match] = [all[0], 'matched'];
    } else if (all.length) match = 'uncertain';
  }
  const matchedOn: Array<'phone' | 'email' | 'address'> = [];
  if (customer) {
    if (phoneE164 && customer.phoneE164 === phoneE164) matchedOn.push('phone');
    if (email && customer.email === email) matchedOn.push('email');
    if (body.address && found.byAddress.some((c) => c.customerId === customer!.customerId)) matchedOn.push('address');
  }
  return {
    match,
    matchedOn,
    customer: customer ? toProfile(customer) : null,
    candidates: all.filter((c) => c.customerId !== customer?.customerId).map(toProfile),
  };
}
