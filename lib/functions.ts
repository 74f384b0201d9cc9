import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { existsSync, readFileSync } from 'node:fs';
import { isTraced, lambdaDescription, lambdas, queues as queueSpecs, stateMachines, taskLambdaNames, type Grant, type LambdaSpec } from '../functions/registry';
import { PrebuiltBundles } from './bundles';
import { baseEnvironment, grantDefinition, LAMBDA_DEFAULTS, TENANT_SECRETS_RESOURCE, type GrantRefs } from './function-definition';
import { acknowledge, logicalIdOf } from './nag';
import { fromRoot } from './paths';
import type { Queues } from './queues';

/** Everything a registry grant can point at. */
export interface GrantTargets {
  table: dynamodb.ITable;
  queues: Queues;
  stateMachineOf: (name: string) => sfn.IStateMachine;
}

/**
 * Tenant secrets, by the only name form functions/shared/secrets.ts makes: `jobrelay/<tenant>/<purpose>`
 * (Secrets Manager appends `-XXXXXX` to the ARN). Nothing outside a tenant's space matches.
 */
export const TENANT_SECRETS_ARN = `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:${TENANT_SECRETS_RESOURCE}`;
const TENANT_SECRETS_NAG_ID = 'IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:jobrelay/*/*]';
const TENANT_SECRETS_REASON =
  'Tenant credentials are set per tenant after deploy (PUT /v1/config/credentials) under jobrelay/<tenant>/<purpose>, names derived from the tenant id in functions/shared/secrets.ts, so their ARNs are not known at deploy time; the pattern admits tenant secrets only.';

export { LAMBDA_DEFAULTS } from './function-definition';

/** Deployment choices (lib/app.ts reads them from context): all off by default. */
export interface DeploymentOptions {
  sourceMaps: boolean;
  provisionedConcurrency: number;
  /** The X-Ray SDK (Powertools tracer) in the traced functions' bundles (functions/shared/tracer.ts). */
  xraySdk?: boolean;
}

const DEFAULT_DEPLOYMENT: DeploymentOptions = { sourceMaps: false, provisionedConcurrency: 0, xraySdk: false };

/** The functions a booking waits on in a row: the booking route, then each node of the booking workflow. */
export function bookingChainLambdas(): string[] {
  const booking = stateMachines.find((s) => s.name === 'booking')!;
  return ['CreateBooking', ...taskLambdaNames(readFileSync(fromRoot(booking.file), 'utf8'))];
}

/** The capability folder of a function (`functions/<capability>/...`): its log group. */
export function capabilityOf(spec: LambdaSpec): string {
  const capability = /^functions\/([a-z0-9-]+)\//.exec(spec.entry)?.[1];
  if (!capability) throw new Error(`functions/registry.ts: ${spec.name}.entry ${spec.entry} is not under functions/<capability>/`);
  return capability;
}

/**
 * Functions with the same key share a role: same capability, same grants, same queue consumed (the
 * event source mapping adds its receive/delete statements to the role) and same tracing.
 */
export function roleKeyOf(spec: LambdaSpec): string {
  const consumes = queueSpecs.filter((q) => q.consumer === spec.name).map((q) => q.name);
  return [capabilityOf(spec), [...new Set(spec.grants)].sort().join(','), consumes.join(','), isTraced(spec) ? 'traced' : ''].join('|');
}

const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/** What registry grants point at in this stack, as CloudFormation references (lib/function-definition.ts). */
export function cdkGrantRefs({ table, queues, stateMachineOf }: GrantTargets): GrantRefs {
  return {
    tableName: table.tableName,
    tableArn: table.tableArn,
    queueUrl: (name) => queues.byName(name).queue.queueUrl,
    queueArn: (name) => queues.byName(name).queue.queueArn,
    dlqUrl: (name) => queues.byName(name).deadLetterQueue.queueUrl,
    dlqArn: (name) => queues.byName(name).deadLetterQueue.queueArn,
    stateMachineArn: (name) => stateMachineOf(name).stateMachineArn,
    arn: (service, resource) => `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`,
  };
}

/** One NodejsFunction per `functions/registry.ts` entry, each with only its listed grants. */
export class Functions extends Construct {
  readonly byName = new Map<string, NodejsFunction>();
  /** Shared by the functions of one capability (see createFunction). */
  readonly logGroups = new Map<string, logs.LogGroup>();
  /** Shared by the functions of one capability with the same grants (see createFunction). */
  private readonly roles = new Map<string, iam.Role>();

  /** With provisioned concurrency: the `live` alias of each booking-chain function, what callers invoke. */
  private readonly aliases = new Map<string, lambda.Alias>();
  private readonly deployment: DeploymentOptions;
  /** Every function's bundle, from one esbuild build (lib/bundles.ts). */
  private readonly bundles: PrebuiltBundles;

  constructor(scope: Construct, id: string, props: { table: dynamodb.ITable; deployment?: DeploymentOptions }) {
    super(scope, id);
    this.deployment = props.deployment ?? DEFAULT_DEPLOYMENT;
    this.bundles = new PrebuiltBundles(this, { sourceMaps: this.deployment.sourceMaps, xraySdk: this.deployment.xraySdk });
    for (const spec of lambdas) {
      this.byName.set(spec.name, this.createFunction(spec, props.table));
    }
    if (this.deployment.provisionedConcurrency > 0) {
      for (const name of bookingChainLambdas()) {
        const fn = this.get(name);
        this.aliases.set(
          name,
          new lambda.Alias(this, `${name}Live`, {
            aliasName: 'live',
            version: fn.currentVersion,
            provisionedConcurrentExecutions: this.deployment.provisionedConcurrency,
          }),
        );
      }
    }
  }

  get(name: string): NodejsFunction {
    const fn = this.byName.get(name);
    if (!fn) throw new Error(`No lambda named ${name} in functions/registry.ts`);
    return fn;
  }

  /** What API routes and workflows invoke: the `live` alias when the function has provisioned concurrency, else the function. */
  invokeTarget(name: string): lambda.IFunction {
    return this.aliases.get(name) ?? this.get(name);
  }

  private createFunction(spec: LambdaSpec, table: dynamodb.ITable): NodejsFunction {
    const entry = fromRoot(spec.entry);
    if (!existsSync(entry)) {
      throw new Error(`functions/registry.ts: ${spec.name}.entry ${spec.entry} does not exist`);
    }
    // One log group per capability (functions/<capability>/), not per function: every line names its
    // function (`function` in functions/shared/logger.ts), a capability's routes are read together,
    // and 58 groups cost 39 of CloudFormation's 500 resources (issue 13).
    const capability = capabilityOf(spec);
    let logGroup = this.logGroups.get(capability);
    if (!logGroup) {
      logGroup = new logs.LogGroup(this, `${pascal(capability)}Logs`, {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.logGroups.set(capability, logGroup);
    }
    // A role per capability and grant set, not AWSLambdaBasicExecutionRole (logs:* writes to every
    // log group in the account): functions share a role only when their registry grants are the
    // same, so each still has exactly its own permissions, and it writes to its capability's log
    // group only.
    const roleKey = roleKeyOf(spec);
    let role = this.roles.get(roleKey);
    if (!role) {
      role = new iam.Role(this, `${spec.name}Role`, {
        description: `JobRelay ${capability} functions with grants: ${[...spec.grants].sort().join(', ') || 'none'}`,
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });
      logGroup.grantWrite(role);
      this.roles.set(roleKey, role);
    }
    const fn = new NodejsFunction(this, spec.name, {
      // Its bundle from the one build of every function (PrebuiltBundles), as NodejsFunction names it.
      code: this.bundles.codeOf(spec),
      handler: 'index.handler',
      role,
      description: lambdaDescription(spec),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb ?? LAMBDA_DEFAULTS.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds ?? LAMBDA_DEFAULTS.timeoutSeconds),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // X-Ray on the booking path (registry isTraced; Powertools tracer in the handler).
      ...(isTraced(spec) ? { tracing: lambda.Tracing.ACTIVE } : {}),
      // The same variables the local runtime gives this function (lib/function-definition.ts).
      environment: baseEnvironment({ tableName: table.tableName, sourceMaps: this.deployment.sourceMaps }),
    });
    if (isTraced(spec)) {
      acknowledge(
        role,
        'IAM5[Resource::*]',
        'Generated by Lambda active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
      );
    }
    acknowledge(
      fn,
      'L1',
      'Pinned to Node.js 22 on purpose: it is the runtime the local stack and every test run on (ENGINEERING.md "Node version"). Move to a newer runtime together with the local one.',
    );
    return fn;
  }

  /** Apply each function's registry grants (called once every grant target exists). */
  applyGrants(targets: GrantTargets): void {
    for (const spec of lambdas) {
      const fn = this.get(spec.name);
      for (const grant of spec.grants) this.applyGrant(fn, grant, targets);
    }
  }

  private applyGrant(fn: NodejsFunction, grant: Grant, { table, queues, stateMachineOf }: GrantTargets): void {
    const role = fn.role!;
    // The statements and variables come from lib/function-definition.ts, which the local runtime
    // evaluates too: what is granted here is exactly what is allowed locally.
    const { statements, environment } = grantDefinition(grant, cdkGrantRefs({ table, queues, stateMachineOf }));
    for (const statement of statements) fn.addToRolePolicy(new iam.PolicyStatement(statement));
    for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);
    switch (grant) {
      case 'table:read':
      case 'table:readWrite':
        acknowledge(
          role,
          `IAM5[Resource::<${logicalIdOf(table)}.Arn>/index/*]`,
          'The `index/*` resource covers the GSIs of this one table only (byDue and any added later), as grantReadData/grantReadWriteData write it.',
        );
        return;
      case 'email:send':
        acknowledge(
          role,
          'IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
          'Each tenant verifies its own sender identity at onboarding (its messaging.email.from), so the identities are not known at deploy time; SendEmail is the only action.',
        );
        return;
      case 'crmSecrets:read':
      case 'tenantSecrets:write':
        acknowledge(role, TENANT_SECRETS_NAG_ID, TENANT_SECRETS_REASON);
        return;
      default:
        return;
    }
  }
}
