/**
 * Deployment choices made by context (lib/app.ts deploymentOptionsFromContext): source maps and
 * provisioned concurrency for the booking chain, both off by default. Synthesised without bundling
 * (`aws:cdk:bundling-stacks: []`): these tests read the template, not the code. And without CDK's
 * built-in CloudFormation validation: it never fails a synth (its errors are downgraded to warnings
 * unless `validateAgainstDefaultRules` is set), so here it checked nothing, and it cost ~8 CPU-seconds
 * per process (a WASM engine compiled, then each template validated). test/infra/stack.test.ts keeps it
 * on and asserts its report is empty for the stack as deployed; cdk-nag still runs on every synth here.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app';
import { bookingChainLambdas } from '../../lib/functions';
import { logicalIdOf } from '../../lib/nag';
import { repoRoot } from '../../lib/paths';

const outdirs: string[] = [];

function synth(context: Record<string, unknown>) {
  mkdirSync(path.join(repoRoot, 'cdk.out'), { recursive: true });
  const outdir = mkdtempSync(path.join(repoRoot, 'cdk.out', 'infra-options-'));
  outdirs.push(outdir);
  const built = buildApp({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [], ...context } });
  return { built, template: Template.fromStack(built.stack) };
}

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe('deployment options', () => {
  it('by default: no source maps at run time, no provisioned concurrency', () => {
    const { template } = synth({});
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
      Properties: { Environment?: { Variables?: Record<string, unknown> } };
    }>;
    expect(functions.length).toBeGreaterThan(10);
    for (const fn of functions) expect(fn.Properties.Environment?.Variables?.NODE_OPTIONS).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::Alias', 0);
  });

  it('-c sourceMaps=true runs every function with source maps', () => {
    const { template } = synth({ sourceMaps: 'true' });
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
      Properties: { Environment?: { Variables?: Record<string, unknown> } };
    }>;
    for (const fn of functions) expect(fn.Properties.Environment?.Variables?.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('-c provisionedConcurrency=2 keeps the booking chain warm, and the API and the booking workflow call it through the alias', () => {
    const { built, template } = synth({ provisionedConcurrency: '2' });
    const chain = bookingChainLambdas();
    expect(chain).toEqual(expect.arrayContaining(['CreateBooking', 'BookingNodes', 'WriteCrm', 'ScheduleNotifications']));
    template.resourceCountIs('AWS::Lambda::Alias', chain.length);
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 } });
    // The workflow's tasks name the aliases, not the bare functions.
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).find((r) =>
      JSON.stringify(r).includes('BookingNodesFunctionArn'),
    )!;
    const substitutions = (machine.Properties as { DefinitionSubstitutions: Record<string, unknown> }).DefinitionSubstitutions;
    expect(JSON.stringify(substitutions.BookingNodesFunctionArn)).toContain(logicalIdOf(built.stack.functions.invokeTarget('BookingNodes')));
    expect(logicalIdOf(built.stack.functions.invokeTarget('BookingNodes'))).not.toBe(logicalIdOf(built.stack.functions.get('BookingNodes')));
    // The booking route's integration targets the alias.
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationUri: Match.objectLike({ Ref: logicalIdOf(built.stack.functions.invokeTarget('CreateBooking')) }),
    });
  });

  it('refuses a malformed value by name', () => {
    expect(() => synth({ provisionedConcurrency: 'lots' })).toThrow(/provisionedConcurrency/);
    expect(() => synth({ sourceMaps: 'yes' })).toThrow(/sourceMaps/);
  });
});
