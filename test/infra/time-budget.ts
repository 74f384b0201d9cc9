/**
 * The worst-case duration of an ASL workflow, for the time-budget test (test/infra/asl.test.ts):
 * - an attempt of a Task lasts at most its TimeoutSeconds, or its Lambda's timeout when that is
 *   shorter (a Lambda that times out fails the attempt);
 * - a Task is attempted once plus every retrier's MaxAttempts (default 3: each retrier can be
 *   exhausted by its own errors), and waits IntervalSeconds x BackoffRate^k (capped by
 *   MaxDelaySeconds; FULL jitter only shortens it) before retry k;
 * - the run takes the longest path from StartAt to an end over Next, Choices, Default and Catch.
 *   Each state is entered at most once, except the Catch targets and the Choice right after them,
 *   at most twice (a failure may continue past the exception path once and fail again later).
 */
export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

interface BudgetState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Catch?: { Next: string }[];
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
  End?: boolean;
}

export function retryIntervals(retrier: Retrier): number {
  const attempts = retrier.MaxAttempts ?? 3;
  let total = 0;
  for (let k = 0; k < attempts; k++) {
    const delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** k;
    total += Math.min(delay, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
  }
  return total;
}

export function taskWorstCase(state: BudgetState, lambdaTimeout: (resource: string) => number | undefined): number {
  const timeout = state.TimeoutSeconds ?? Number.POSITIVE_INFINITY;
  const attempt = Math.min(timeout, (state.Resource ? lambdaTimeout(state.Resource) : undefined) ?? Number.POSITIVE_INFINITY);
  const retries = state.Retry ?? [];
  const attempts = 1 + retries.reduce((sum, r) => sum + (r.MaxAttempts ?? 3), 0);
  return attempt * attempts + retries.reduce((sum, r) => sum + retryIntervals(r), 0);
}

export function workflowWorstCase(
  definition: { StartAt: string; States: Record<string, BudgetState> },
  lambdaTimeout: (resource: string) => number | undefined,
): { seconds: number; path: string[]; perTask: Record<string, number> } {
  const states = definition.States;
  const perTask = Object.fromEntries(
    Object.entries(states)
      .filter(([, s]) => s.Type === 'Task')
      .map(([name, s]) => [name, taskWorstCase(s, lambdaTimeout)]),
  );
  const catchTargets = new Set(Object.values(states).flatMap((s) => (s.Catch ?? []).map((c) => c.Next)));
  const twice = new Set([...catchTargets, ...[...catchTargets].map((t) => states[t]?.Next).filter((n): n is string => Boolean(n))]);
  const next = (s: BudgetState) =>
    [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].filter((n): n is string => Boolean(n));

  let best = { seconds: 0, path: [] as string[] };
  const visits = new Map<string, number>();
  const walk = (name: string, seconds: number, path: string[]) => {
    const state = states[name];
    if (!state) throw new Error(`No state ${name}`);
    const seen = visits.get(name) ?? 0;
    if (seen >= (twice.has(name) ? 2 : 1)) return;
    visits.set(name, seen + 1);
    const total = seconds + (perTask[name] ?? 0);
    const here = [...path, name];
    const onward = new Set(next(state));
    if (state.End || onward.size === 0 || total > best.seconds) {
      if (total > best.seconds) best = { seconds: total, path: here };
    }
    for (const target of onward) walk(target, total, here);
    visits.set(name, seen);
  };
  walk(definition.StartAt, 0, []);
  return { ...best, perTask };
}
