/**
 * The parts of a function's synthesised definition that the local runtime must reproduce: its
 * environment, timeout, memory and the IAM statements of its role. Pure (no aws-cdk-lib): the CDK
 * stack (lib/functions.ts) calls these with CloudFormation references, the local runtime
 * (local/lambdas.ts) with local names and ARNs, so a grant or variable missing in AWS is missing
 * locally too. One list, two worlds.
 */
import { dlqUrlEnv, queues, queueUrlEnv, stateMachines, type Grant, type LambdaSpec, type QueueSpec, type StateMachineSpec } from '../functions/registry';

/** Defaults for registry entries that leave timeout or memory out. */
export const LAMBDA_DEFAULTS = { timeoutSeconds: 10, memoryMb: 512 };

export function timeoutSecondsOf(spec: LambdaSpec): number {
  return spec.timeoutSeconds ?? LAMBDA_DEFAULTS.timeoutSeconds;
}

export function memoryMbOf(spec: LambdaSpec): number {
  return spec.memoryMb ?? LAMBDA_DEFAULTS.memoryMb;
}

/** An Allow statement (every statement we write is one: no Deny, no conditions). */
export interface AllowStatement {
  actions: string[];
  resources: string[];
}

/** Names, ARNs and URLs of what grants point at: CloudFormation references in CDK, strings locally. */
export interface GrantRefs {
  tableName: string;
  tableArn: string;
  queueUrl(name: QueueSpec['name']): string;
  queueArn(name: QueueSpec['name']): string;
  dlqUrl(name: QueueSpec['name']): string;
  dlqArn(name: QueueSpec['name']): string;
  stateMachineArn(name: StateMachineSpec['name']): string;
  /** `arn:<partition>:<service>:<region>:<account>:<resource>` for this deployment. */
  arn(service: string, resource: string): string;
}

/** What a grant adds to a function: statements on its role and variables in its environment. */
export interface GrantDefinition {
  statements: AllowStatement[];
  environment: Record<string, string>;
}

// The data-plane actions of CDK's grantReadData/grantReadWriteData (aws-dynamodb perms), less the
// stream actions (the table has no stream).
export const TABLE_READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];
export const TABLE_WRITE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
/** CDK's queue.grantSendMessages. */
export const QUEUE_SEND_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
/** CDK's queue.grantConsumeMessages, which an SqsEventSource gives its consumer. */
export const QUEUE_CONSUME_ACTIONS = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
/**
 * Tenant secrets, by the only name form functions/shared/secrets.ts makes: `jobrelay/<tenant>/<purpose>`
 * (Secrets Manager appends `-XXXXXX` to the ARN). Nothing outside a tenant's space matches.
 */
export const TENANT_SECRETS_RESOURCE = 'secret:jobrelay/*/*';

/**
 * How every function is bundled for Lambda: synthesis (lib/bundles.ts, every function in one esbuild
 * build), the local runtime (local/bundle.ts) and `npm run bench cold` give these to esbuild, so the three agree.
 */
export const LAMBDA_BUNDLING = {
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  /**
   * ESM bundles: some bundled dependencies still call `require` for Node built-ins, which does not
   * exist in an ES module. The banner gives them one (the usual esbuild + Lambda ESM recipe).
   */
  banner: "import { createRequire as __jobrelayCreateRequire } from 'node:module'; const require = __jobrelayCreateRequire(import.meta.url);",
  minify: true,
  /** Off by default: a source map parsed at init costs cold-start time; `-c sourceMaps=true` turns them on. */
  sourceMap: false,
  /**
   * The AWS SDK is bundled, not taken from the nodejs22.x runtime: the runtime's copy is CommonJS
   * (`dist-cjs`, every command of a client in one file) that an ES module imports through Node's
   * CJS lexer and format detection: init CPU median ~420 ms here against ~225 ms with the SDK's ES
   * modules tree-shaken and minified into each bundle, which grows by ~200 KB (`npm run bench cold`
   * and `COLD_SDK=runtime npm run bench cold`, 2026-11-30; issue 19: init is what a caller waits for). `source-map`: Handlebars' compiler requires it in a try/catch for template source
   * maps, which we never ask for, and falls back to its own stand-in without it (26 KB in every
   * notify bundle).
   */
  externalModules: ['source-map'],
  /**
   * Import paths replaced at build time: the SDK's default credential chain by the environment's
   * credentials, the only source a Lambda function has (functions/shared/lambda-credentials.ts).
   * Paths relative to the repository root, where the CDK and the bench run esbuild.
   */
  alias: { '@aws-sdk/credential-provider-node': './functions/shared/lambda-credentials.ts' },
  /** Licence comments are kept in node_modules; a bundle does not carry them (a few KB each). */
  legalComments: 'none',
  /**
   * Build-time constants. `JOBRELAY_XRAY_SDK`: the X-Ray SDK (Powertools tracer) in the traced
   * functions' bundles, off by default (functions/shared/tracer.ts); `-c xraySdk=true` turns it on.
   */
  define: { 'process.env.JOBRELAY_XRAY_SDK': '"false"' },
} as const;

/** LAMBDA_BUNDLING's `define` for a deployment: with `-c xraySdk=true` the traced bundles carry the X-Ray SDK. */
export function bundlingDefine(options: { xraySdk?: boolean } = {}): Record<string, string> {
  return { ...LAMBDA_BUNDLING.define, 'process.env.JOBRELAY_XRAY_SDK': JSON.stringify(String(options.xraySdk === true)) };
}

/** LAMBDA_BUNDLING as esbuild options (synthesis, lib/bundles.ts, and the bench build with esbuild directly). */
export function esbuildOptionsOf(
  bundling: Omit<typeof LAMBDA_BUNDLING, 'sourceMap' | 'externalModules' | 'alias'> & {
    sourceMap: boolean;
    externalModules: readonly string[];
    alias: Readonly<Record<string, string>>;
  },
) {
  return {
    bundle: true,
    platform: 'node' as const,
    format: bundling.format,
    target: bundling.target,
    mainFields: [...bundling.mainFields],
    banner: { js: bundling.banner },
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    sourcesContent: false,
    external: [...bundling.externalModules],
    alias: { ...bundling.alias },
    legalComments: bundling.legalComments,
    define: { ...bundling.define },
  };
}

/** Variables every function has, whatever its grants; with source maps deployed, stack traces through them. */
export function baseEnvironment(refs: Pick<GrantRefs, 'tableName'> & { sourceMaps?: boolean }): Record<string, string> {
  return {
    TABLE_NAME: refs.tableName,
    POWERTOOLS_SERVICE_NAME: 'jobrelay',
    ...(refs.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
  };
}

function stateMachineNamed(name: StateMachineSpec['name']): StateMachineSpec {
  const spec = stateMachines.find((s) => s.name === name);
  if (!spec) throw new Error(`No state machine named ${name} in functions/registry.ts`);
  return spec;
}

function sendTo(queue: QueueSpec['name'], refs: GrantRefs): GrantDefinition {
  return {
    statements: [{ actions: QUEUE_SEND_ACTIONS, resources: [refs.queueArn(queue)] }],
    environment: { [queueUrlEnv(queue)]: refs.queueUrl(queue) },
  };
}

export function grantDefinition(grant: Grant, refs: GrantRefs): GrantDefinition {
  const table = [refs.tableArn, `${refs.tableArn}/index/*`];
  switch (grant) {
    case 'table:read':
      return { statements: [{ actions: TABLE_READ_ACTIONS, resources: table }], environment: {} };
    case 'table:readWrite':
      return { statements: [{ actions: [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS], resources: table }], environment: {} };
    case 'notifyQueue:send':
      return sendTo('notify', refs);
    case 'crmSyncQueue:send':
      return sendTo('crm-sync', refs);
    case 'statusEventsQueue:send':
      return sendTo('status-events', refs);
    case 'crmReadSyncQueue:send':
      return sendTo('crm-read-sync', refs);
    case 'bookingWorkflow:startSync': {
      const spec = stateMachineNamed('booking');
      const arn = refs.stateMachineArn(spec.name);
      return { statements: [{ actions: ['states:StartSyncExecution'], resources: [arn] }], environment: { [spec.arnEnv]: arn } };
    }
    case 'jobTrail:start': {
      const spec = stateMachineNamed('jobTrail');
      const arn = refs.stateMachineArn(spec.name);
      return { statements: [{ actions: ['states:StartExecution'], resources: [arn] }], environment: { [spec.arnEnv]: arn } };
    }
    case 'email:send':
      // Each tenant verifies its own sender identity at onboarding, so identities are not known at deploy time.
      return { statements: [{ actions: ['ses:SendEmail'], resources: [refs.arn('ses', 'identity/*')] }], environment: {} };
    case 'crmSecrets:read':
      // Tenant secrets are set per tenant after deploy, so their ARNs are not known at deploy time.
      return {
        statements: [{ actions: ['secretsmanager:GetSecretValue'], resources: [refs.arn('secretsmanager', TENANT_SECRETS_RESOURCE)] }],
        environment: {},
      };
    case 'tenantSecrets:write':
      return {
        statements: [
          { actions: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'], resources: [refs.arn('secretsmanager', TENANT_SECRETS_RESOURCE)] },
        ],
        environment: {},
      };
    case 'queues:read':
    case 'queues:redrive': {
      const statements: AllowStatement[] = [];
      const environment: Record<string, string> = {};
      for (const { name } of queues) {
        environment[queueUrlEnv(name)] = refs.queueUrl(name);
        environment[dlqUrlEnv(name)] = refs.dlqUrl(name);
        // Depth and the last move task (ListMessageMoveTasks) of both queues.
        statements.push({ actions: ['sqs:GetQueueAttributes'], resources: [refs.queueArn(name), refs.dlqArn(name)] });
        statements.push({ actions: ['sqs:ListMessageMoveTasks'], resources: [refs.dlqArn(name)] });
        if (grant !== 'queues:redrive') continue;
        // Re-send a stored message; StartMessageMoveTask also needs SendMessage on the destination.
        statements.push({ actions: QUEUE_SEND_ACTIONS, resources: [refs.queueArn(name)] });
        // The DLQ side of a move task, as the SQS docs list it for StartMessageMoveTask.
        statements.push({ actions: ['sqs:StartMessageMoveTask', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'], resources: [refs.dlqArn(name)] });
      }
      return { statements, environment };
    }
    default: {
      const unknown: never = grant;
      throw new Error(`Unknown grant ${String(unknown)}`);
    }
  }
}

/** The whole environment of a function's definition: the base variables plus what its grants add. */
export function environmentFor(spec: LambdaSpec, refs: GrantRefs): Record<string, string> {
  return Object.assign(baseEnvironment(refs), ...spec.grants.map((grant) => grantDefinition(grant, refs).environment));
}

/**
 * The statements of a function's role, less its own log group: its grants, plus what the SQS event
 * source of the queue it consumes adds (CDK's SqsEventSource grants consume on that queue).
 */
export function statementsFor(spec: LambdaSpec, refs: GrantRefs): AllowStatement[] {
  return [
    ...spec.grants.flatMap((grant) => grantDefinition(grant, refs).statements),
    ...queues.filter((q) => q.consumer === spec.name).map((q) => ({ actions: QUEUE_CONSUME_ACTIONS, resources: [refs.queueArn(q.name)] })),
  ];
}
