/**
 * Which safety advice an emergency's customer gets at once: the job type's own setting, else a gas
 * smell in what they said (leave the house, call the gas utility from outside), else water for a
 * plumbing job (shut the main water valve), else general advice. Pure.
 */
import type { JobType } from '../tenant/model';

export type SafetyAdvice = NonNullable<JobType['safetyAdvice']>;

export const SAFETY_KINDS = {
  water: 'safety_advice_water',
  gas: 'safety_advice_gas',
  electrical: 'safety_advice_electrical',
  general: 'safety_advice_general',
} as const satisfies Record<SafetyAdvice, string>;

const GAS_WORDS = /\b(gas (smell|leak)|smell(s|ing)? (of |like )?gas|rotten eggs?|olor a gas|huele a gas|fuga de gas)\b/i;
const ELECTRICAL_WORDS = /\b(sparks?|sparking|burning smell|electrical fire|smoke from (the )?(outlet|panel))\b/i;

export function safetyAdviceFor(jobType: Pick<JobType, 'trade' | 'safetyAdvice'>, said: string): SafetyAdvice {
  if (jobType.safetyAdvice) return jobType.safetyAdvice;
  if (GAS_WORDS.test(said)) return 'gas';
  if (ELECTRICAL_WORDS.test(said)) return 'electrical';
  if (jobType.trade === 'plumbing') return 'water';
  return 'general';
}
