/**
 * Customer matching, pure: given what the caller said and the customers found by phone, email and
 * normalised address, decide reuse / create / uncertain. Never merges: an uncertain match books
 * against a new record and a person decides (suspected_duplicate review item).
 */
import { normalizeAddress } from './address';
import type { CustomerAddress, CustomerRecord } from './store';

export interface CallerFacts {
  name: string;
  phoneE164: string;
  email?: string;
  address: CustomerAddress;
  /** The language the caller spoke (the bot heard it): their messages go out in it. */
  language?: 'en' | 'es';
}

export interface Candidates {
  byPhone?: CustomerRecord;
  byEmail?: CustomerRecord;
  byAddress: CustomerRecord[];
}

export type MatchDecision =
  | { kind: 'match'; customer: CustomerRecord; matchedOn: Array<'phone' | 'email' | 'address'> }
  | { kind: 'new' }
  | { kind: 'uncertain'; candidate: CustomerRecord; reason: string };

function nameTokens(name: string): string[] {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      // Digits stay: "P 0" and "P 1" (unit 0 and unit 1, two accounts of one landlord) are two people.
      .replace(/[^a-z0-9 ]+/g, ' ')
      .split(/\s+/)
      .filter(Boolean)
  );
}

/** "Jordan Rivera" ~ "jordan rivera" ~ "J. Rivera" ~ "Jordan"; "Jordan Rivera" !~ "Sam Rivera". */
export function similarNames(a: string, b: string): boolean {
  const x = nameTokens(a);
  const y = nameTokens(b);
  if (!x.length || !y.length) return false;
  if (x.join(' ') === y.join(' ')) return true;
  const firstA = x[0]!;
  const firstB = y[0]!;
  const firstCompatible = firstA === firstB || (firstA.length === 1 && firstB.startsWith(firstA)) || (firstB.length === 1 && firstA.startsWith(firstB));
  if (x.length === 1 || y.length === 1) return firstA === firstB;
  return firstCompatible && x.at(-1) === y.at(-1);
}

export function decideMatch(caller: CallerFacts, found: Candidates): MatchDecision {
  const matchedOn = (customer: CustomerRecord) => {
    const on: Array<'phone' | 'email' | 'address'> = [];
    if (customer.phoneE164 === caller.phoneE164) on.push('phone');
    if (caller.email && customer.email === caller.email) on.push('email');
    const key = normalizeAddress(caller.address);
    if (customer.addresses.some((a) => normalizeAddress(a) === key)) on.push('address');
    return on;
  };
  // Whoever shares a key with the caller and carries the caller's name is the caller.
  const same = [found.byPhone, found.byEmail, ...found.byAddress].find((c) => c && similarNames(c.name, caller.name));
  if (same) return { kind: 'match', customer: same, matchedOn: matchedOn(same) };
  if (found.byPhone) return { kind: 'uncertain', candidate: found.byPhone, reason: 'same phone, different name' };
  if (found.byEmail) return { kind: 'uncertain', candidate: found.byEmail, reason: 'same email, different name' };
  const other = found.byAddress[0];
  if (other) return { kind: 'uncertain', candidate: other, reason: 'same address, different name and phone' };
  return { kind: 'new' };
}
