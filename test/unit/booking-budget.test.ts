/** The bookings route's time budget (functions/booking/budget.ts): answer in time, or 202 and let the run go on. */
import { describe, expect, it } from 'vitest';
import { ANSWER_MARGIN_MS, answerWithinBudget, bookingBudget, requireBudget } from '../../functions/booking/budget';
import type { AdmissionPermit } from '../../functions/shared/admission';
import type { RouteResponse } from '../../functions/shared/http';

const budgetOf = (ms: number) => ({ remainingMs: () => ms });
const accepted: RouteResponse = { statusCode: 202, body: { bookingId: 'b1', status: 'received' } };

function recordingPermit(): AdmissionPermit & { heldFor: Array<Promise<unknown>> } {
  const heldFor: Array<Promise<unknown>> = [];
  return { heldFor, release: async () => undefined, releaseWith: async () => undefined, holdUntil: (work) => void heldFor.push(work) };
}

describe('booking budget', () => {
  it('is the Lambda context remaining time less the answer margin, never negative', () => {
    expect(bookingBudget({ getRemainingTimeInMillis: () => 29_000 }).remainingMs()).toBe(29_000 - ANSWER_MARGIN_MS);
    expect(bookingBudget({ getRemainingTimeInMillis: () => 1_000 }).remainingMs()).toBe(0);
    expect(() => requireBudget(budgetOf(0))).toThrow(expect.objectContaining({ statusCode: 503, headers: { 'retry-after': '2' } }));
    expect(() => requireBudget(budgetOf(5))).not.toThrow();
  });

  it('answers with the run when it finishes in time, and nothing runs late', async () => {
    const settled: unknown[] = [];
    const permit = recordingPermit();
    const response = await answerWithinBudget(Promise.resolve({ statusCode: 201, body: { status: 'confirmed' } }), {
      budget: budgetOf(1_000),
      permit,
      late: async () => accepted,
      settledLate: async (outcome) => void settled.push(outcome),
    });
    expect(response.statusCode).toBe(201);
    expect(settled).toEqual([]);
    expect(permit.heldFor).toEqual([]);
  });

  it('answers 202 when the budget runs out; the run goes on, holds the permit, and its outcome is recorded', async () => {
    let finish!: (response: RouteResponse) => void;
    const run = new Promise<RouteResponse>((resolve) => (finish = resolve));
    const settled: unknown[] = [];
    const permit = recordingPermit();
    const response = await answerWithinBudget(run, {
      budget: budgetOf(5),
      permit,
      late: async () => accepted,
      settledLate: async (outcome) => void settled.push(outcome),
    });
    expect(response).toBe(accepted);
    expect(permit.heldFor).toHaveLength(1);
    finish({ statusCode: 201, body: { status: 'confirmed' } });
    await permit.heldFor[0];
    expect(settled).toEqual([{ response: { statusCode: 201, body: { status: 'confirmed' } } }]);
  });

  it('a late run that fails is recorded as failed, never thrown at the caller who already has a 202', async () => {
    let fail!: (error: Error) => void;
    const run = new Promise<RouteResponse>((_, reject) => (fail = reject));
    const settled: unknown[] = [];
    const permit = recordingPermit();
    await expect(
      answerWithinBudget(run, { budget: budgetOf(1), permit, late: async () => accepted, settledLate: async (outcome) => void settled.push(outcome) }),
    ).resolves.toBe(accepted);
    fail(new Error('workflow lost'));
    await permit.heldFor[0];
    expect(settled).toEqual([{ error: new Error('workflow lost') }]);
  });
});
