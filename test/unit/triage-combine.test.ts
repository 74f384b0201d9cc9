/**
 * The rules as the safety floor under an optional model (issue 18 part 3): the model's verdict is
 * validated, can only raise the urgency, and a disagreement is recorded; a slow or failing model is
 * ignored within its time budget.
 */
import { describe, expect, it } from 'vitest';
import { classify } from '../../functions/triage/classify';
import { askModel, combine } from '../../functions/triage/combine';
import { DEFAULT_TRIAGE_RULES, TriageRulesSchema } from '../../functions/triage/rules';

// No tenant setting turns a model on yet (no provider is wired): these test the floor it must sit on.

const rules = TriageRulesSchema.parse(DEFAULT_TRIAGE_RULES);

describe('a model behind the rules', () => {
  it('raises the urgency when the model is more urgent, and says so', () => {
    const answer = combine(classify('the kitchen faucet drips', rules), { intent: 'emergency', urgency: 'emergency', jobTypeId: null });
    expect(answer).toMatchObject({ intent: 'emergency', urgency: 'emergency', route: 'emergency_path' });
    expect(answer.reasons.join(' ')).toContain('model disagrees: emergency/emergency (rules: routine_service/routine)');
  });

  it('never lowers the urgency the rules gave: the rules are the floor', () => {
    const answer = combine(classify('I smell gas in the kitchen', rules), { intent: 'routine_service', urgency: 'routine' });
    expect(answer).toMatchObject({ intent: 'emergency', urgency: 'emergency', route: 'emergency_path' });
    expect(answer.reasons.join(' ')).toContain('model disagrees');
  });

  it('ignores an answer that fails the schema, and no answer', () => {
    const base = classify('no hot water since this morning', rules);
    expect(combine(base, { intent: 'panic', urgency: 'now' })).toMatchObject({ urgency: base.urgency, intent: base.intent });
    expect(combine(base, null)).toEqual(base);
  });

  it('gives the model its time budget and no more; an error is no answer', async () => {
    const slow = (_text: string, signal: AbortSignal) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ intent: 'emergency', urgency: 'emergency' }), 5_000);
        signal.addEventListener('abort', () => clearTimeout(timer));
      });
    await expect(askModel(slow, 'x', 100)).resolves.toBeNull();
    await expect(askModel(() => Promise.reject(new Error('throttled')), 'x', 100)).resolves.toBeNull();
    await expect(askModel(async () => ({ intent: 'other', urgency: 'routine' }), 'x', 100)).resolves.toEqual({ intent: 'other', urgency: 'routine' });
  });
});
