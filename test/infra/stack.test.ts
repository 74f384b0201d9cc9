/**
 * Synthesises the real app once (one esbuild build bundles every function, lib/bundles.ts; cdk-nag runs as a validation
 * plugin) and checks the template against functions/registry.ts.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deadLetterPolicy,
  definitionSubstitutions,
  executionFailureRules,
  isTraced,
  lambdas,
  queues,
  queueUrlEnv,
  routes,
  SCHEDULED_RUN_RETRIES,
  schedules,
  stateMachines,
  taskLambdaNames,
  type Grant,
  type LambdaSpec,
} from '../../functions/registry';
import { HIGHS_WASM_ASSET, highsWasmPath } from '../../functions/dispatch/solver';
import { alarmTargetsFromContext, buildApp, type JobRelayApp } from '../../lib/app';
import { capabilityOf, cdkGrantRefs, roleKeyOf } from '../../lib/functions';
import { environmentFor, statementsFor } from '../../lib/function-definition';
import { VISIBILITY_TIMEOUT_FACTOR } from '../../lib/queues';
import { logicalIdOf } from '../../lib/nag';
import { fromRoot, repoRoot } from '../../lib/paths';
import { tableDefinition, TTL_ATTRIBUTE } from '../../local/table';
import { App } from 'aws-cdk-lib';

type Json = Record<string, any>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

let outdir: string;
let built: JobRelayApp;
let synthError: unknown;
let template: Template;
let resources: Record<string, Json>;

beforeAll(() => {
  // Inside the repo (cdk.out is git-ignored), where `cdk synth` writes: the bundles carry the AWS SDK
  // (lib/function-definition.ts), so only `source-map` (external, loaded when source maps are asked for) resolves from node_modules.
  mkdirSync(path.join(repoRoot, 'cdk.out'), { recursive: true });
  outdir = mkdtempSync(path.join(repoRoot, 'cdk.out', 'infra-test-'));
  built = buildApp({ outdir });
  try {
    built.app.synth();
  } catch (error) {
    // Validation (cdk-nag) failures throw after the template is written; the nag test reports them.
    synthError = error;
  }
  template = Template.fromJSON(JSON.parse(readFileSync(path.join(outdir, 'JobRelay.template.json'), 'utf8')));
  resources = template.toJSON().Resources as Record<string, Json>;
}, 600_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

const idOf = (name: string) => logicalIdOf(built.stack.functions.get(name));
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Statements of the IAM policies attached to a role (by logical id). */
function roleStatements(roleLogicalId: string): Statement[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => (r.Properties.Roles as Json[]).some((ref) => ref.Ref === roleLogicalId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
}

/** What grants point at in the synthesised stack (the references lib/functions.ts passes to lib/function-definition.ts). */
function grantRefs() {
  return cdkGrantRefs({ table: built.stack.data.table, queues: built.stack.queues, stateMachineOf: (name) => built.stack.workflows.byName(name as never) });
}

function functionRoleId(name: string): string {
  return resources[idOf(name)]!.Properties.Role['Fn::GetAtt'][0] as string;
}

/**
 * The statement a scheduled function's on-failure destination adds (lib/schedules.ts): Lambda itself
 * sends the failed run's record with the function's role, the code never does (locally the ticker
 * sends it, local/ticker.ts), so it is not one of the code's grants. Only to the async-targets DLQ.
 */
function isOnFailureDestination(statement: Statement): boolean {
  const arn = { 'Fn::GetAtt': [logicalIdOf(built.stack.queues.asyncTargetsDlq), 'Arn'] };
  return JSON.stringify(statement.Resource) === JSON.stringify(arn) && actionsOf(statement).every((a) => a.startsWith('sqs:'));
}

function functionActions(name: string): string[] {
  return roleStatements(functionRoleId(name))
    .filter((s) => !isOnFailureDestination(s))
    .flatMap(actionsOf);
}

describe('cdk-nag (AwsSolutions)', () => {
  it('synthesises with no unacknowledged findings', () => {
    const message = synthError instanceof Error ? synthError.message : String(synthError);
    expect(synthError, message).toBeUndefined();
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName?: string; violations?: unknown[] }[];
    };
    const findings = report.pluginReports.flatMap((r) => r.violations ?? []);
    expect(findings, JSON.stringify(findings, null, 2)).toEqual([]);
  });

  it('finds nothing when the pack is run directly on the tree', () => {
    const { violations } = new AwsSolutionsChecks().validateScope(built.app);
    const summary = violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(summary).toEqual([]);
  });
});

describe('data', () => {
  it('has one table: pk/sk, on demand, PITR, TTL expiresAt, AWS-managed SSE, GSI byDue, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true },
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byDue',
            KeySchema: [
              { AttributeName: 'duePk', KeyType: 'HASH' },
              { AttributeName: 'dueAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    });
  });

  it('has the keys, GSI and TTL attribute the local runtime creates its table with (local/table.ts)', () => {
    const local = tableDefinition('any');
    const [, table] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::DynamoDB::Table')!;
    expect(table.Properties.KeySchema).toEqual(local.KeySchema);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
    expect(table.Properties.TimeToLiveSpecification.AttributeName).toBe(TTL_ATTRIBUTE);
  });
});

describe('queues', () => {
  const allQueues = () => Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue');

  it(`has ${queues.length} work queues, each redriving after ${deadLetterPolicy.maxReceiveCount} receives to a ${deadLetterPolicy.retentionDays}-day DLQ`, () => {
    const work = allQueues().filter(([, r]) => r.Properties.RedrivePolicy);
    expect(work).toHaveLength(queues.length);
    // Each work queue and its DLQ, and the async-targets DLQ (Scheduler and EventBridge rule targets).
    expect(allQueues()).toHaveLength(queues.length * 2 + 1);
    const dlqIds = new Set<string>();
    for (const [, queue] of work) {
      expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(deadLetterPolicy.maxReceiveCount);
      const dlqId = queue.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string;
      dlqIds.add(dlqId);
      expect(resources[dlqId]!.Properties.MessageRetentionPeriod).toBe(deadLetterPolicy.retentionDays * 24 * 60 * 60);
    }
    expect(dlqIds.size).toBe(queues.length);
  });

  it(`takes visibility timeouts from the registry, each at least ${VISIBILITY_TIMEOUT_FACTOR}x its consumer's timeout`, () => {
    for (const spec of queues) {
      const id = logicalIdOf(built.stack.queues.byName(spec.name).queue);
      expect(resources[id]!.Properties.VisibilityTimeout).toBe(spec.visibilityTimeoutSeconds);
      const consumerTimeout = resources[idOf(spec.consumer!)]!.Properties.Timeout as number;
      expect(spec.visibilityTimeoutSeconds, spec.name).toBeGreaterThanOrEqual(VISIBILITY_TIMEOUT_FACTOR * consumerTimeout);
    }
  });

  it('bounds each consumer: batch size, maximum concurrency (where set) and reserved concurrency from the registry, reserved never below the maximum', () => {
    for (const spec of queues) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: idOf(spec.consumer!) },
        BatchSize: spec.batchSize,
        ScalingConfig: spec.maximumConcurrency === undefined ? Match.absent() : { MaximumConcurrency: spec.maximumConcurrency },
      });
      const reserved = resources[idOf(spec.consumer!)]!.Properties.ReservedConcurrentExecutions as number | undefined;
      expect(reserved, spec.name).toBe(spec.reservedConcurrency);
      // Every consumer has a ceiling: the mapping's maximum or the function's reservation (issue 19 item 4 keeps the second).
      expect(spec.maximumConcurrency ?? reserved, `${spec.name}: a concurrency ceiling`).toBeDefined();
      if (reserved !== undefined && spec.maximumConcurrency !== undefined) expect(reserved).toBeGreaterThanOrEqual(spec.maximumConcurrency);
      expect(spec.bounds.length, `${spec.name}: the reason for its bounds`).toBeGreaterThan(20);
    }
    // Only queue consumers are reserved: the booking path draws on the unreserved pool.
    const reservedFunctions = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.ReservedConcurrentExecutions !== undefined)
      .map(([id]) => id);
    expect(reservedFunctions.sort()).toEqual(
      queues
        .filter((q) => q.reservedConcurrency !== undefined)
        .map((q) => idOf(q.consumer!))
        .sort(),
    );
  });

  it('encrypts every queue and denies non-TLS access', () => {
    for (const [id, queue] of allQueues()) {
      expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
    }
    const denied = Object.values(resources)
      .filter((r) => r.Type === 'AWS::SQS::QueuePolicy')
      .filter((r) =>
        (r.Properties.PolicyDocument.Statement as Json[]).some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
      )
      .flatMap((r) => (r.Properties.Queues as Json[]).map((q) => q.Ref as string));
    expect(new Set(denied)).toEqual(new Set(allQueues().map(([id]) => id)));
  });

  it('wires each consumer with partial batch failures', () => {
    const consumers = queues.filter((q) => q.consumer);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', consumers.length);
    for (const spec of consumers) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: idOf(spec.consumer!) },
        EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(built.stack.queues.byName(spec.name).queue), 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });
});

describe('functions', () => {
  it('has one Lambda function per registry entry', () => {
    template.resourceCountIs('AWS::Lambda::Function', lambdas.length);
  });

  it.each(lambdas.map((l) => [l.name, l] as const))('%s: Node 22 on arm64, its timeout, memory and log group', (_, spec) => {
    const fn = resources[idOf(spec.name)]!.Properties;
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Handler).toBe('index.handler');
    expect(fn.Timeout).toBe(spec.timeoutSeconds ?? 10);
    expect(fn.MemorySize).toBe(spec.memoryMb ?? 512);
    expect(fn.LoggingConfig.LogFormat).toBe('JSON');
    const logGroup = resources[fn.LoggingConfig.LogGroup.Ref as string]!;
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(30);
    expect(fn.Environment.Variables).toMatchObject({
      TABLE_NAME: { Ref: logicalIdOf(built.stack.data.table) },
      POWERTOOLS_SERVICE_NAME: 'jobrelay',
    });
  });

  it.each(lambdas.map((l) => [l.name, l] as const))('%s: environment follows its grants', (_, spec) => {
    const env = resources[idOf(spec.name)]!.Properties.Environment.Variables as Json;
    const notify = queueUrlEnv('notify');
    const booking = stateMachines.find((s) => s.name === 'booking')!;
    const queueGrants = spec.grants.some((g) => g === 'queues:read' || g === 'queues:redrive');
    expect(notify in env).toBe(spec.grants.includes('notifyQueue:send') || queueGrants);
    expect(booking.arnEnv in env).toBe(spec.grants.includes('bookingWorkflow:startSync'));
    if (notify in env) expect(env[notify]).toEqual({ Ref: logicalIdOf(built.stack.queues.byName('notify').queue) });
  });

  it.each(lambdas.map((l) => [l.name, l] as const))('%s: environment is exactly environmentFor (what the local runtime gives it)', (_, spec) => {
    const env = resources[idOf(spec.name)]!.Properties.Environment.Variables as Json;
    expect(env).toEqual(built.stack.resolve(environmentFor(spec, grantRefs())));
  });
});

describe('bundles', () => {
  it('every function bundle loads as an ES module under plain Node and exports handler', () => {
    // A child process, not vitest's module runner: the real Node ESM loader is what Lambda uses,
    // and it is what rejects a bundle that calls `require` without the createRequire banner.
    const bundles = Object.fromEntries(
      lambdas.map((l) => {
        const key = resources[idOf(l.name)]!.Properties.Code.S3Key as string;
        return [l.name, pathToFileURL(path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs')).href];
      }),
    );
    const script = `
      const bundles = ${JSON.stringify(bundles)};
      const out = {};
      for (const [name, url] of Object.entries(bundles)) {
        try { out[name] = typeof (await import(url)).handler; } catch (e) { out[name] = String(e); }
      }
      console.log(JSON.stringify(out));`;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, AWS_REGION: 'eu-west-1' },
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, string>;
    expect(result).toEqual(Object.fromEntries(lambdas.map((l) => [l.name, 'function'])));
  });
});

describe('one build', () => {
  it('gives every function its own asset and leaves none of its output folders in cdk.out (lib/bundles.ts)', () => {
    const keys = lambdas.map((l) => resources[idOf(l.name)]!.Properties.Code.S3Key as string);
    expect(new Set(keys).size).toBe(lambdas.length);
    expect(readdirSync(outdir).filter((name) => name.startsWith('jobrelay-bundle-'))).toEqual([]);
  });
});

describe('solver assets', () => {
  it('ships the HiGHS wasm next to the DispatchPlan bundle, where the planner looks for it', () => {
    const key = resources[idOf('DispatchPlan')]!.Properties.Code.S3Key as string;
    const dir = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
    expect(existsSync(path.join(dir, HIGHS_WASM_ASSET))).toBe(true);
    expect(highsWasmPath(dir)).toBe(path.join(dir, HIGHS_WASM_ASSET));
  });
});

describe('console assets', () => {
  it('ships the console files next to the ConsoleAssets bundle (registry `assets`)', () => {
    const key = resources[idOf('ConsoleAssets')]!.Properties.Code.S3Key as string;
    const dir = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
    for (const file of ['index.html', 'app.js', 'style.css']) expect(existsSync(path.join(dir, 'console', file)), file).toBe(true);
  });
});

describe('least privilege', () => {
  const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
  const serviceOf: Record<Grant, string> = {
    'table:read': 'dynamodb',
    'table:readWrite': 'dynamodb',
    'notifyQueue:send': 'sqs',
    'bookingWorkflow:startSync': 'states',
    'jobTrail:start': 'states',
    'email:send': 'ses',
    'crmSecrets:read': 'secretsmanager',
    'tenantSecrets:write': 'secretsmanager',
    'queues:read': 'sqs',
    'queues:redrive': 'sqs',
    'crmSyncQueue:send': 'sqs',
    'statusEventsQueue:send': 'sqs',
    'crmReadSyncQueue:send': 'sqs',
  };
  const allowedServices = (spec: LambdaSpec) =>
    new Set([
      'logs',
      ...spec.grants.map((g) => serviceOf[g]),
      ...(queues.some((q) => q.consumer === spec.name) ? ['sqs'] : []),
      ...(isTraced(spec) ? ['xray'] : []),
    ]);

  it.each(lambdas.map((l) => [l.name, l] as const))('%s only reaches the services its grants name', (_, spec) => {
    const services = new Set(functionActions(spec.name).map((a) => a.split(':')[0]));
    expect([...services].filter((s) => !allowedServices(spec).has(s!))).toEqual([]);
    if (spec.grants.length === 0 && !queues.some((q) => q.consumer === spec.name)) {
      expect(functionActions(spec.name).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    }
  });

  // Both directions: the role holds no permission its grants do not give, and every permission the
  // local runtime allows (it checks each SDK call against statementsFor, local/lambda-guest.ts) is
  // in the role, so a call that passes locally is not refused in AWS.
  it.each(lambdas.map((l) => [l.name, l] as const))('%s: its role holds exactly statementsFor its grants (as the local runtime checks them)', (_, spec) => {
    const pairs = (statements: Array<{ actions: string[]; resources: unknown[] }>) =>
      [...new Set(statements.flatMap((s) => s.actions.flatMap((a) => s.resources.map((r) => `${a} ${JSON.stringify(r)}`))))].sort();
    const inRole = roleStatements(functionRoleId(spec.name))
      .filter((s) => !isOnFailureDestination(s))
      .map((s) => ({ actions: actionsOf(s), resources: Array.isArray(s.Resource) ? s.Resource : [s.Resource] }))
      .map((s) => ({ ...s, actions: s.actions.filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:')) }));
    const expected = statementsFor(spec, grantRefs()).map((s) => ({ actions: s.actions, resources: s.resources.map((r) => built.stack.resolve(r)) }));
    expect(pairs(inRole)).toEqual(pairs(expected));
  });

  it.each(lambdas.map((l) => [l.name] as const))("%s writes logs to its capability's log group only, with no managed policy", (name) => {
    const role = resources[functionRoleId(name)]!.Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    const logGroupId = resources[idOf(name)]!.Properties.LoggingConfig.LogGroup.Ref as string;
    const logStatements = roleStatements(functionRoleId(name)).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
    expect(logStatements.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [logGroupId, 'Arn'] }]);
  });

  it('read-only functions cannot write the table (e.g. GetBooking has no dynamodb:PutItem)', () => {
    const readOnly = lambdas.filter((l) => l.grants.includes('table:read') && !l.grants.includes('table:readWrite'));
    expect(readOnly.map((l) => l.name)).toContain('BookingReads');
    for (const spec of readOnly) {
      const actions = functionActions(spec.name);
      expect(actions).toContain('dynamodb:GetItem');
      for (const write of WRITE_ACTIONS) expect(actions, spec.name).not.toContain(write);
    }
  });

  /** Function roles (shared by functions of one capability with the same grants) holding an action. */
  const holdersOf = (action: string) => {
    const functionRoles = new Set(lambdas.map((l) => functionRoleId(l.name)));
    return [
      ...new Set(
        Object.entries(resources)
          .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
          .filter(([, r]) => (r.Properties.PolicyDocument.Statement as Statement[]).some((s) => actionsOf(s).includes(action)))
          .flatMap(([, r]) => (r.Properties.Roles as Json[]).map((ref) => ref.Ref as string))
          .filter((role) => functionRoles.has(role)),
      ),
    ];
  };

  it('functions share a role only within a capability and with the same grants, queue and tracing', () => {
    const byRole = new Map<string, Set<string>>();
    for (const spec of lambdas) {
      const role = functionRoleId(spec.name);
      byRole.set(role, (byRole.get(role) ?? new Set()).add(roleKeyOf(spec)));
    }
    for (const [role, keys] of byRole) expect([...keys], role).toHaveLength(1);
    expect(new Set(lambdas.map(roleKeyOf)).size).toBe(byRole.size);
  });

  it('only CreateBooking, the agent tools (create_booking runs the CreateBooking handler) and the RecoverySweep (which re-drives a booking whose run died) may start the booking workflow', () => {
    const starters = ['CreateBooking', 'AgentTools', 'RecoverySweep'].map(functionRoleId);
    expect(holdersOf('states:StartSyncExecution').sort()).toEqual(starters.sort());
    for (const role of starters) {
      const statement = roleStatements(role).find((s) => actionsOf(s).includes('states:StartSyncExecution'))!;
      expect(statement.Resource).toEqual({ Ref: logicalIdOf(built.stack.workflows.byName('booking')) });
    }
  });

  it('only the grant holders may send to the notify queue or read CRM secrets', () => {
    const roles = (grant: Grant) => [...new Set(lambdas.filter((l) => l.grants.includes(grant)).map((l) => functionRoleId(l.name)))];
    expect(holdersOf('sqs:SendMessage').sort()).toEqual(
      [
        ...new Set([
          ...roles('notifyQueue:send'),
          ...roles('queues:redrive'),
          ...roles('crmSyncQueue:send'),
          ...roles('statusEventsQueue:send'),
          ...roles('crmReadSyncQueue:send'),
          // A scheduled function's on-failure destination (lib/schedules.ts): its role sends to the async-targets DLQ.
          ...schedules.map((spec) => functionRoleId(spec.lambda)),
        ]),
      ].sort(),
    );
    expect(holdersOf('sqs:StartMessageMoveTask').sort()).toEqual(roles('queues:redrive').sort());
    expect(holdersOf('secretsmanager:GetSecretValue').sort()).toEqual(roles('crmSecrets:read').sort());
  });

  it("secrets: no function reaches a secret outside a tenant's jobrelay/<tenant>/ space; only the credentials route writes", () => {
    // A policy resource as text, intrinsic references kept as <Name>.
    const text = (node: unknown): string => {
      if (typeof node === 'string') return node;
      const obj = node as Json;
      if (obj?.Ref) return `<${obj.Ref}>`;
      if (obj?.['Fn::Join']) return (obj['Fn::Join'][1] as unknown[]).map(text).join(obj['Fn::Join'][0] as string);
      return JSON.stringify(node);
    };
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    expect(statements.length).toBeGreaterThan(0);
    const tenantScoped = /^arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:jobrelay\/\*\/\*$/;
    for (const statement of statements) {
      expect(
        actionsOf(statement).filter((a) => !['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:CreateSecret'].includes(a)),
      ).toEqual([]);
      const targets = (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map(text);
      for (const target of targets) expect(target, JSON.stringify(statement)).toMatch(tenantScoped);
    }
    const roles = (grant: Grant) => [...new Set(lambdas.filter((l) => l.grants.includes(grant)).map((l) => functionRoleId(l.name)))];
    expect(roles('tenantSecrets:write')).toEqual([functionRoleId('TenantCredentials')]);
    expect(holdersOf('secretsmanager:PutSecretValue')).toEqual(roles('tenantSecrets:write'));
    expect(holdersOf('secretsmanager:CreateSecret')).toEqual(roles('tenantSecrets:write'));
  });

  it('the workflow role invokes exactly the node functions its ASL names', () => {
    for (const spec of stateMachines) {
      const machine = resources[logicalIdOf(built.stack.workflows.byName(spec.name))]!;
      const statements = roleStatements(machine.Properties.RoleArn['Fn::GetAtt'][0] as string);
      const invoked = statements
        .filter((s) => actionsOf(s).includes('lambda:InvokeFunction'))
        .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) as Json[])
        .map((r) => (r['Fn::GetAtt'] ?? r['Fn::Join'][1][0]['Fn::GetAtt'])[0] as string);
      const names = taskLambdaNames(readFileSync(fromRoot(spec.file), 'utf8'));
      expect(new Set(invoked)).toEqual(new Set(names.map(idOf)));
    }
  });

  it('has no statement anywhere with Action "*", and no service-wide wildcard in IAM policies', () => {
    const walk = (node: unknown, visit: (s: Statement) => void): void => {
      if (Array.isArray(node)) for (const n of node) walk(n, visit);
      else if (node && typeof node === 'object') {
        const obj = node as Json;
        if (Array.isArray(obj.Statement)) for (const s of obj.Statement as Statement[]) visit(s);
        for (const v of Object.values(obj)) walk(v, visit);
      }
    };
    const star: string[] = [];
    walk(resources, (s) => {
      if (actionsOf(s).includes('*')) star.push(JSON.stringify(s));
    });
    expect(star).toEqual([]);
    const serviceWide = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::Role')
      .flatMap((r) => {
        const found: string[] = [];
        walk(r.Properties.PolicyDocument ?? r.Properties.Policies ?? [], (s) => {
          found.push(...actionsOf(s).filter((a) => /:\*$/.test(a)));
        });
        return found;
      });
    expect(serviceWide).toEqual([]);
  });
});

describe('workflows', () => {
  it('has one state machine per registry entry of its type, its substitutions exactly the registry map', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', stateMachines.length);
    expect(stateMachines.find((m) => m.name === 'booking')?.type).toBe('EXPRESS');
    expect(stateMachines.find((m) => m.name === 'jobTrail')?.type).toBe('EXPRESS');
    for (const spec of stateMachines) {
      const machine = resources[logicalIdOf(built.stack.workflows.byName(spec.name))]!.Properties;
      expect(machine.StateMachineType).toBe(spec.type);
      const text = readFileSync(fromRoot(spec.file), 'utf8');
      const expected = definitionSubstitutions(
        text,
        (name) => `fn:${name}`,
        (name) => `sm:${name}`,
      );
      expect(Object.keys(machine.DefinitionSubstitutions).sort()).toEqual(Object.keys(expected).sort());
      for (const [key, target] of Object.entries(expected)) {
        const [kind, name] = target.split(':') as [string, string];
        expect(machine.DefinitionSubstitutions[key]).toEqual(
          kind === 'fn' ? { 'Fn::GetAtt': [idOf(name), 'Arn'] } : { Ref: logicalIdOf(built.stack.workflows.byName(name)) },
        );
      }
      expect(machine.DefinitionS3Location).toBeDefined();
      expect(machine.TracingConfiguration).toEqual({ Enabled: true });
      expect(machine.LoggingConfiguration).toMatchObject({ Level: 'ERROR', IncludeExecutionData: false });
    }
  });
});

describe('the job trail (issue 19 item 4: Express, its failure path in its definition)', () => {
  const trail = () => resources[logicalIdOf(built.stack.workflows.byName('jobTrail'))]!.Properties;
  const definition = JSON.parse(readFileSync(fromRoot('state-machines/job-trail.asl.json'), 'utf8')) as {
    TimeoutSeconds: number;
    States: Record<string, { Type: string; Resource?: string; Catch?: Array<{ ErrorEquals: string[]; Next: string }>; Next?: string }>;
  };

  it('is an Express state machine (billed per request and duration, not per transition) started by the booking workflow', () => {
    expect(trail().StateMachineType).toBe('EXPRESS');
    // Express runs last at most 5 minutes.
    expect(definition.TimeoutSeconds).toBeLessThanOrEqual(300);
    const booking = resources[logicalIdOf(built.stack.workflows.byName('booking'))]!.Properties;
    expect(booking.DefinitionSubstitutions.JobTrailStateMachineArn).toEqual({ Ref: logicalIdOf(built.stack.workflows.byName('jobTrail')) });
  });

  it("keeps an exception path per step, and CloseTrail's own failure reaches TrailExecutionFailed in the definition (no EventBridge rule: Express emits no status events)", () => {
    const steps = ['AssignTechnician', 'NotifyTeam', 'PrepChecklist', 'MaterialsCheck'];
    for (const step of steps)
      expect(
        definition.States[step]!.Catch?.some((c) => c.ErrorEquals.includes('States.ALL')),
        step,
      ).toBe(true);
    expect(definition.States.CloseTrail!.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'ReportTrailFailure' })]);
    expect(definition.States.ReportTrailFailure!.Resource).toBe(`\${${'TrailExecutionFailed'}FunctionArn}`);
    expect(definition.States[definition.States.ReportTrailFailure!.Next!]!.Type).toBe('Fail');
    expect(trail().DefinitionSubstitutions.TrailExecutionFailedFunctionArn).toEqual({ 'Fn::GetAtt': [idOf('TrailExecutionFailed'), 'Arn'] });
    const trailRules = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::Events::Rule' &&
        JSON.stringify(r.Properties.EventPattern?.detail?.stateMachineArn) === JSON.stringify([{ Ref: logicalIdOf(built.stack.workflows.byName('jobTrail')) }]),
    );
    expect(trailRules).toEqual([]);
  });
});

describe('execution failure rules', () => {
  it("routes each watched state machine's failed executions to its Lambda", () => {
    for (const rule of executionFailureRules) {
      const found = Object.values(resources).filter(
        (r) =>
          r.Type === 'AWS::Events::Rule' &&
          JSON.stringify(r.Properties.EventPattern?.detail?.stateMachineArn) ===
            JSON.stringify([{ Ref: logicalIdOf(built.stack.workflows.byName(rule.stateMachine)) }]),
      );
      expect(found).toHaveLength(1);
      expect(found[0]!.Properties.EventPattern.detail.status).toEqual(rule.statuses);
      expect(JSON.stringify(found[0]!.Properties.Targets)).toContain(idOf(rule.lambda));
      // An event EventBridge cannot deliver lands in the async-targets DLQ, which EventBridge may send to.
      expect(found[0]!.Properties.Targets[0].DeadLetterConfig).toEqual({
        Arn: { 'Fn::GetAtt': [logicalIdOf(built.stack.queues.asyncTargetsDlq), 'Arn'] },
      });
    }
    const dlq = logicalIdOf(built.stack.queues.asyncTargetsDlq);
    const policies = Object.values(resources).filter((r) => r.Type === 'AWS::SQS::QueuePolicy' && (r.Properties.Queues as Json[]).some((q) => q.Ref === dlq));
    const allows = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Json[]).filter((st) => st.Effect === 'Allow');
    if (executionFailureRules.length) expect(allows.map((st) => st.Principal)).toContainEqual({ Service: 'events.amazonaws.com' });
    for (const rule of executionFailureRules) {
      expect(JSON.stringify(allows)).toContain(logicalIdOf(built.stack.workflows.node.findChild(`${rule.stateMachine}ExecutionFailed`)));
    }
  });
});

describe('api', () => {
  it('has one HTTP API route per registry route, each integrated with its function (payload v2)', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
    for (const route of routes) {
      const found = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toHaveLength(1);
      const integrationId = found[0]!.Properties.Target['Fn::Join'][1][1].Ref as string;
      const integration = resources[integrationId]!.Properties;
      expect(integration.IntegrationType).toBe('AWS_PROXY');
      expect(integration.PayloadFormatVersion).toBe('2.0');
      expect(integration.IntegrationUri).toEqual({ 'Fn::GetAtt': [idOf(route.lambda), 'Arn'] });
    }
  });

  it('logs access on the $default stage, throttles, and allows CORS for GET/POST with our headers', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      DefaultRouteSettings: { ThrottlingBurstLimit: Match.anyValue(), ThrottlingRateLimit: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowMethods: Match.arrayWith(['GET', 'POST']),
        AllowHeaders: Match.arrayWith(['Authorization', 'Content-Type', 'Idempotency-Key']),
      }),
    });
    expect(template.findOutputs('ApiUrl')).not.toEqual({});
  });

  it('throttles the routes the registry throttles (POST /v1/bookings) in the stage route settings', () => {
    const throttled = routes.filter((route) => route.throttle);
    expect(throttled.map((route) => `${route.method} ${route.path}`)).toContain('POST /v1/bookings');
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
    for (const route of throttled) {
      expect(stage!.Properties.RouteSettings[`${route.method} ${route.path}`]).toEqual({
        ThrottlingRateLimit: route.throttle!.rateLimit,
        ThrottlingBurstLimit: route.throttle!.burstLimit,
      });
    }
    // The stage names routes by key: it must be created after them.
    expect(stage!.DependsOn?.length ?? 0).toBeGreaterThanOrEqual(throttled.length);
  });
});

describe('schedules', () => {
  it('has one EventBridge Scheduler schedule per registry entry, targeting its function', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', schedules.length);
    expect(schedules.map((s) => s.expression)).toContain('rate(1 minute)');
    for (const spec of schedules) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: spec.expression,
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [idOf(spec.lambda), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(built.stack.queues.asyncTargetsDlq), 'Arn'] } },
        }),
      });
    }
  });

  it('runs the renewals scan on the hour (each tenant is renewed at 09:00 its time), not every 24 h since deploy', () => {
    expect(schedules.find((s) => s.lambda === 'RenewalsScan')!.expression).toBe('cron(0 * * * ? *)');
    expect(schedules.map((s) => s.expression)).not.toContain('rate(1 day)');
  });
});

describe('alarms', () => {
  const topicRef = () => ({ Ref: logicalIdOf(built.stack.alarms.topic) });

  it('alarms on every DLQ holding a message, into the ops topic', () => {
    for (const spec of queues) {
      const dlq = logicalIdOf(built.stack.queues.byName(spec.name).deadLetterQueue);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [topicRef()],
      });
    }
  });

  it('alarms on API 5xx, not on workflow executions: a run that does not succeed is a review item (issue 19 item 4)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topicRef()],
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    // Both workflows are Express (no execution-status events): booking/drive.ts and the trail's
    // ReportTrailFailure and the recovery sweep open the review items (test/integration/booking-run-failure.test.ts).
    expect(stateMachines.every((m) => m.type === 'EXPRESS')).toBe(true);
    expect(alarms.filter((a) => a.Properties.Namespace === 'AWS/States')).toEqual([]);
  });

  it('alarms on the async-target DLQ (schedules and their failed runs), notify falling behind and Lambda throttles; no per-function Errors alarms', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    // A failed scheduled run goes to the async-targets DLQ through its on-failure destination, after Lambda's retries.
    expect(alarms.filter((a) => a.Properties.MetricName === 'Errors')).toEqual([]);
    const dlq = logicalIdOf(built.stack.queues.asyncTargetsDlq);
    for (const spec of schedules) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: idOf(spec.lambda) },
        MaximumRetryAttempts: SCHEDULED_RUN_RETRIES,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Threshold: 0,
      AlarmActions: [topicRef()],
    });
    // Oldest message only where the registry asks for it (notify: a late reminder hurts customers).
    const aged = queues.filter((spec) => spec.maxAgeAlarmSeconds !== undefined);
    expect(aged.map((spec) => spec.name)).toEqual(['notify']);
    expect(alarms.filter((a) => a.Properties.MetricName === 'ApproximateAgeOfOldestMessage')).toHaveLength(aged.length);
    for (const spec of aged) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(built.stack.queues.byName(spec.name).queue), 'QueueName'] } }],
        Threshold: spec.maxAgeAlarmSeconds,
        AlarmActions: [topicRef()],
      });
    }
    // Throttles on Lambda's account-level metric (no dimension): one alarm metric covers every function.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: Match.absent(),
      Threshold: 0,
      AlarmActions: [topicRef()],
    });
    // Issue 19 item 4: at most 8 alarm metrics (4 work DLQs, the async-targets DLQ, notify's oldest message, throttles, 5xx).
    expect(alarms).toHaveLength(queues.length + 4);
  });

  it('subscribes nobody by default; alarmEmail and alarmWebhookUrl context subscribe the ops topic', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    // Without bundling (aws:cdk:bundling-stacks []) nor CDK's CloudFormation validation (it never fails a synth;
    // its report for the stack as deployed is the nag test's): only the alarms construct matters here.
    const withTargets = buildApp({
      outdir: mkdtempSync(path.join(outdir, 'targets-')),
      builtinCloudFormationValidation: false,
      context: { alarmEmail: 'ops@example.com', alarmWebhookUrl: 'https://events.example.com/sns', 'aws:cdk:bundling-stacks': [] },
    });
    const subscribed = Template.fromStack(withTargets.stack);
    subscribed.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    subscribed.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: 'https://events.example.com/sns' });
    expect(() => alarmTargetsFromContext(new App({ context: { alarmEmail: 'not-an-address' } }))).toThrow(/alarmEmail/);
    expect(() => alarmTargetsFromContext(new App({ context: { alarmWebhookUrl: 'http://insecure.example.com' } }))).toThrow(/alarmWebhookUrl/);
  });

  it("keeps no KMS key (the ops topic carries alarm states only), denies non-TLS publishing, lets this account's alarms publish", () => {
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.absent() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' })]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

describe('room to grow', () => {
  /** CloudFormation's per-stack limit is 500; we keep well under it so features can still be added. */
  const RESOURCE_BUDGET = 400;

  it(`stays under ${RESOURCE_BUDGET} of CloudFormation's 500 resources`, () => {
    const count = Object.keys(resources).length;
    const byType = Object.entries(Object.values(resources).reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.Type]: (acc[r.Type] ?? 0) + 1 }), {})).sort(
      (a, b) => b[1] - a[1],
    );
    console.log(`stack resources: ${count} of 500 (budget ${RESOURCE_BUDGET}); ${byType.map(([t, n]) => `${t.replace('AWS::', '')} ${n}`).join(', ')}`);
    expect(count).toBeLessThan(RESOURCE_BUDGET);
  });

  it('one log group per capability, shared by its functions', () => {
    const capabilities = new Set(lambdas.map(capabilityOf));
    const groups = new Set(lambdas.map((l) => resources[idOf(l.name)]!.Properties.LoggingConfig.LogGroup.Ref as string));
    expect(groups.size).toBe(capabilities.size);
  });
});
