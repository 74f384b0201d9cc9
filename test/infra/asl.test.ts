/**
 * Every workflow file is valid ASL and every Task is wired to a real handler from the registry (or
 * starts a registry state machine), with retries and an exception path: in the booking workflow a
 * Catch into RecordReviewItem; in the job trail a Catch that records the failure for CloseTrail, and
 * CloseTrail's own failure goes to a Task that opens the review item (the trail is Express: no
 * execution-status events), then the run fails. The Express trail's longest path fits its timeout.
 */
import aslValidator from 'asl-validator';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { definitionSubstitutions, executionFailureRules, lambdas, stateMachineSubstitutionKey, stateMachines, substitutionKey } from '../../functions/registry';
import { fromRoot } from '../../lib/paths';
import { LAMBDA_DEFAULTS } from '../../lib/function-definition';
import { workflowWorstCase, type Retrier } from './time-budget';

const REVIEW_STATE = 'RecordReviewItem';
const START_EXECUTION = 'arn:aws:states:::states:startExecution';

/** Each workflow's exception model (see the file comment). */
const exceptionPaths: Record<string, { reviewState: string } | { closeState: string; failureState: string }> = {
  'state-machines/booking.asl.json': { reviewState: REVIEW_STATE },
  'state-machines/job-trail.asl.json': { closeState: 'CloseTrail', failureState: 'ReportTrailFailure' },
};

interface State {
  Type: string;
  Resource?: string;
  Comment?: string;
  TimeoutSeconds?: number;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string }[];
  Retry?: Retrier[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Parameters?: Record<string, unknown>;
  Branches?: { States: Record<string, State> }[];
  ItemProcessor?: { States: Record<string, State> };
  Iterator?: { States: Record<string, State> };
}

/** Task states at any depth (Parallel branches and Map processors included). */
function taskStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? ([[name, state]] as [string, State][]) : []),
    ...(state.Branches ?? []).flatMap((b) => taskStates(b.States)),
    ...(state.ItemProcessor ? taskStates(state.ItemProcessor.States) : []),
    ...(state.Iterator ? taskStates(state.Iterator.States) : []),
  ]);
}

const aslFiles = readdirSync(fromRoot('state-machines'))
  .filter((f) => f.endsWith('.asl.json'))
  .map((f) => path.posix.join('state-machines', f));

/** The definition as AWS sees it after substitution (dummy account and region). */
function substituted(text: string): unknown {
  const subs = definitionSubstitutions(
    text,
    (name) => `arn:aws:lambda:eu-west-1:123456789012:function:jobrelay-${name}`,
    (name) => `arn:aws:states:eu-west-1:123456789012:stateMachine:jobrelay-${name}`,
  );
  let out = text;
  for (const [key, value] of Object.entries(subs)) out = out.split(`\${${key}}`).join(value);
  return JSON.parse(out);
}

describe('state machines', () => {
  it('has at least one ASL file, and every file is a registry state machine and vice versa', () => {
    expect(aslFiles.length).toBeGreaterThan(0);
    expect([...aslFiles].sort()).toEqual(stateMachines.map((s) => s.file).sort());
  });

  describe.each(aslFiles)('%s', (file) => {
    const text = readFileSync(fromRoot(file), 'utf8');
    const definition = JSON.parse(text) as { States: Record<string, State> };
    const tasks = taskStates(definition.States);

    it('is valid ASL (asl-validator) once its substitutions are applied', () => {
      const { isValid, errorsText } = aslValidator(substituted(text));
      expect(isValid, errorsText('\n')).toBe(true);
    });

    it('leaves no placeholder unsubstituted', () => {
      expect(JSON.stringify(substituted(text))).not.toMatch(/\$\{/);
    });

    it.each(tasks.map(([name, state]) => [name, state] as const))(
      'Task %s calls a registry node function whose handler exists, or starts a registry state machine',
      (_name, state) => {
        if (state.Resource === START_EXECUTION) {
          const arn = String(state.Parameters?.StateMachineArn ?? '');
          const started = stateMachines.find((m) => arn === `\${${stateMachineSubstitutionKey(m.name)}}`);
          expect(started, `StateMachineArn ${arn} is not a registry state machine placeholder`).toBeDefined();
          return;
        }
        const match = /^\$\{([A-Za-z0-9]+)FunctionArn\}$/.exec(state.Resource ?? '');
        expect(match, `Resource ${state.Resource} is not a \${<Name>FunctionArn} placeholder`).not.toBeNull();
        const lambdaName = match![1]!;
        expect(state.Resource).toBe(`\${${substitutionKey(lambdaName)}}`);
        const spec = lambdas.find((l) => l.name === lambdaName);
        expect(spec, `${lambdaName} is not in functions/registry.ts`).toBeDefined();
        expect(spec!.kind).toBe('node');
        const entry = fromRoot(spec!.entry);
        expect(existsSync(entry), `${spec!.entry} does not exist`).toBe(true);
        expect(readFileSync(entry, 'utf8')).toMatch(/export\s+const\s+handler\b/);
      },
    );

    // A function that runs several nodes (BookingNodes) is told which by its Task: the Task's own
    // name, one of the nodes the handler runs, with the whole state (what a one-node function gets).
    it.each(tasks.filter(([, state]) => state.Resource !== START_EXECUTION).map(([name, state]) => [name, state] as const))(
      'Task %s runs the node it is named after',
      async (name, state) => {
        const lambdaName = /^\$\{([A-Za-z0-9]+)FunctionArn\}$/.exec(state.Resource ?? '')![1]!;
        const entry = lambdas.find((l) => l.name === lambdaName)!.entry;
        const module = (await import(fromRoot(entry))) as { nodes?: Record<string, unknown> };
        if (!module.nodes) {
          expect(state.Parameters?.node, `${name}: ${lambdaName} runs one node`).toBeUndefined();
          return;
        }
        expect(state.Parameters).toEqual({ node: name, 'state.$': '$' });
        expect(Object.keys(module.nodes)).toContain(name);
      },
    );

    it.each(tasks.map(([name, state]) => [name, state] as const))('Task %s retries, or its comment says why not', (_name, state) => {
      // The booking workflow's time budget (below) leaves room for few retries: a Task without one
      // says why (its Catch path is its retry) so the choice is written where it is made.
      if (!state.Retry?.length) expect(state.Comment ?? '').toMatch(/No retry/);
      else expect(state.Retry.length).toBeGreaterThan(0);
    });

    it('gives every Task an exception path that ends with a person', () => {
      const model = exceptionPaths[file];
      expect(model, `${file} has no exception model in this test`).toBeDefined();
      if ('reviewState' in model!) {
        expect(definition.States[model.reviewState]?.Type).toBe('Task');
        for (const [name, state] of tasks) {
          if (name === model.reviewState) continue;
          const toReview = (state.Catch ?? []).filter((c) => c.Next === model.reviewState);
          expect(toReview.length, `${name} has no Catch to ${model.reviewState}`).toBeGreaterThan(0);
          expect(
            toReview.some((c) => c.ErrorEquals.includes('States.ALL')),
            `${name} does not catch States.ALL`,
          ).toBe(true);
        }
        return;
      }
      // Trail: every step records its failure for the closing step, which opens the review items;
      // the closing step's own failure goes to the failure Task (a review item), then a Fail state.
      expect(definition.States[model.closeState]?.Type).toBe('Task');
      for (const [name, state] of tasks) {
        if (name === model.closeState || name === model.failureState) continue;
        const all = (state.Catch ?? []).find((c) => c.ErrorEquals.includes('States.ALL'));
        expect(all, `${name} does not catch States.ALL`).toBeDefined();
        expect(all!.ResultPath).toBe(`$.failures.${name}`);
      }
      const machine = stateMachines.find((m) => m.file === file)!;
      const close = definition.States[model.closeState]!;
      expect(close.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'))?.Next).toBe(model.failureState);
      expect(definition.States[model.failureState]?.Resource).toBe(`\${${substitutionKey('TrailExecutionFailed')}}`);
      expect(definition.States[definition.States[model.failureState]!.Next!]?.Type).toBe('Fail');
      // A Standard trail's outright failures would need an execution-status rule; an Express one has none.
      if (machine.type === 'STANDARD') {
        expect(executionFailureRules.find((r) => r.stateMachine === machine.name)?.statuses).toEqual(expect.arrayContaining(['FAILED', 'TIMED_OUT']));
      }
    });
  });
});

describe('the Express job trail fits its timeout (an Express run ends at 5 minutes, with no status event)', () => {
  const file = 'state-machines/job-trail.asl.json';
  const definition = JSON.parse(readFileSync(fromRoot(file), 'utf8')) as { TimeoutSeconds?: number; StartAt: string; States: Record<string, State> };
  const lambdaTimeout = (resource: string) => {
    const name = /^\$\{([A-Za-z0-9]+)FunctionArn\}$/.exec(resource)?.[1];
    const spec = name ? lambdas.find((l) => l.name === name) : undefined;
    return spec ? (spec.timeoutSeconds ?? LAMBDA_DEFAULTS.timeoutSeconds) : undefined;
  };

  it('the longest path (Task timeouts x attempts + retry intervals) fits TimeoutSeconds, at most 300 s', () => {
    expect(stateMachines.find((m) => m.file === file)?.type).toBe('EXPRESS');
    const worst = workflowWorstCase(definition, lambdaTimeout);
    console.log(`job trail worst case ${worst.seconds} s over ${worst.path.join(' -> ')} (timeout ${definition.TimeoutSeconds} s)`);
    expect(definition.TimeoutSeconds!).toBeLessThanOrEqual(300);
    expect(worst.seconds).toBeLessThanOrEqual(definition.TimeoutSeconds!);
  });
});

describe('the booking workflow fits in the API time budget', () => {
  /** API Gateway's integration timeout for the bookings route; the route's own work needs the margin. */
  const API_SECONDS = 29;
  const MARGIN_SECONDS = 4;
  const file = 'state-machines/booking.asl.json';
  const definition = JSON.parse(readFileSync(fromRoot(file), 'utf8')) as { TimeoutSeconds?: number; StartAt: string; States: Record<string, State> };
  const createBooking = lambdas.find((l) => l.name === 'CreateBooking')!;
  const routeBudget = Math.min(API_SECONDS, createBooking.timeoutSeconds ?? LAMBDA_DEFAULTS.timeoutSeconds) - MARGIN_SECONDS;
  const lambdaTimeout = (resource: string) => {
    const name = /^\$\{([A-Za-z0-9]+)FunctionArn\}$/.exec(resource)?.[1];
    const spec = name ? lambdas.find((l) => l.name === name) : undefined;
    return spec ? (spec.timeoutSeconds ?? LAMBDA_DEFAULTS.timeoutSeconds) : undefined;
  };
  const worst = workflowWorstCase(definition, lambdaTimeout);

  it('every Task has a TimeoutSeconds (a Task without one may wait 60 s locally and a year in AWS)', () => {
    for (const [name, state] of taskStates(definition.States)) expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
  });

  it('the Express TimeoutSeconds ends the run inside the route budget', () => {
    expect(definition.TimeoutSeconds).toBeDefined();
    expect(definition.TimeoutSeconds!).toBeLessThanOrEqual(routeBudget);
  });

  it('the longest path (Task timeouts x attempts + retry intervals with backoff) fits under 29 s less the margin', () => {
    console.log(`booking workflow worst case ${worst.seconds} s over ${worst.path.join(' -> ')} (budget ${routeBudget} s)`);
    for (const [name, seconds] of Object.entries(worst.perTask)) expect(seconds, name).toBeGreaterThan(0);
    expect(worst.seconds).toBeLessThanOrEqual(routeBudget);
  });

  it('WriteCrm runs no longer than its Task lets it (its CRM budget is taken from its Lambda time left)', () => {
    expect(lambdaTimeout(definition.States.WriteCrm!.Resource!)).toBeLessThanOrEqual(definition.States.WriteCrm!.TimeoutSeconds!);
  });
});
