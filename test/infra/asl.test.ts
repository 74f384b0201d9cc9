/**
 * Every workflow file is valid ASL and every Task is wired to a real handler from the registry (or
 * starts a registry state machine), with retries and an exception path: in the booking workflow a
 * Catch into RecordReviewItem; in the job trail a Catch that records the failure for CloseTrail, and
 * CloseTrail's own failure fails the execution, which an EventBridge rule sends to review.
 */
import aslValidator from 'asl-validator';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  definitionSubstitutions,
  executionFailureRules,
  lambdas,
  stateMachineSubstitutionKey,
  stateMachines,
  substitutionKey,
} from '../../functions/registry';
import { fromRoot } from '../../lib/paths';

const REVIEW_STATE = 'RecordReviewItem';
const START_EXECUTION = 'arn:aws:states:::states:startExecution';

/** Each workflow's exception model (see the file comment). */
const exceptionPaths: Record<string, { reviewState: string } | { closeState: string }> = {
  'state-machines/booking.asl.json': { reviewState: REVIEW_STATE },
  'state-machines/job-trail.asl.json': { closeState: 'CloseTrail' },
};

interface State {
  Type: string;
  Resource?: string;
  Retry?: unknown[];
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

    it.each(tasks.map(([name, state]) => [name, state] as const))('Task %s retries', (_name, state) => {
      expect(state.Retry?.length ?? 0).toBeGreaterThan(0);
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
          expect(toReview.some((c) => c.ErrorEquals.includes('States.ALL')), `${name} does not catch States.ALL`).toBe(true);
        }
        return;
      }
      // Trail: every step records its failure for the closing step, which opens the review items;
      // the closing step's own failure fails the execution, and a registry rule watches for that.
      expect(definition.States[model.closeState]?.Type).toBe('Task');
      for (const [name, state] of tasks) {
        if (name === model.closeState) continue;
        const all = (state.Catch ?? []).find((c) => c.ErrorEquals.includes('States.ALL'));
        expect(all, `${name} does not catch States.ALL`).toBeDefined();
        expect(all!.ResultPath).toBe(`$.failures.${name}`);
      }
      const machine = stateMachines.find((m) => m.file === file)!;
      expect(executionFailureRules.find((r) => r.stateMachine === machine.name)?.statuses).toEqual(
        expect.arrayContaining(['FAILED', 'TIMED_OUT']),
      );
    });
  });
});
