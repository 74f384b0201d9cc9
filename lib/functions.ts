import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { dlqUrlEnv, lambdas, queueUrlEnv, stateMachines, type Grant, type LambdaSpec } from '../functions/registry';
import { acknowledge, logicalIdOf } from './nag';
import { fromRoot, repoRoot } from './paths';
import type { Queues } from './queues';

/** Everything a registry grant can point at. */
export interface GrantTargets {
  table: dynamodb.ITable;
  queues: Queues;
  stateMachineOf: (name: string) => sfn.IStateMachine;
}

/** Defaults for registry entries that leave timeout or memory out. */
export const LAMBDA_DEFAULTS = { timeoutSeconds: 10, memoryMb: 512 };

/**
 * ESM bundles: some bundled dependencies still call `require` for Node built-ins, which does not
 * exist in an ES module. The banner gives them one (the usual esbuild + Lambda ESM recipe).
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __jobrelayCreateRequire } from 'node:module'; const require = __jobrelayCreateRequire(import.meta.url);";

/** One NodejsFunction per `functions/registry.ts` entry, each with only its listed grants. */
export class Functions extends Construct {
  readonly byName = new Map<string, NodejsFunction>();

  constructor(scope: Construct, id: string, props: { table: dynamodb.ITable }) {
    super(scope, id);
    for (const spec of lambdas) {
      this.byName.set(spec.name, this.createFunction(spec, props.table));
    }
  }

  get(name: string): NodejsFunction {
    const fn = this.byName.get(name);
    if (!fn) throw new Error(`No lambda named ${name} in functions/registry.ts`);
    return fn;
  }

  private createFunction(spec: LambdaSpec, table: dynamodb.ITable): NodejsFunction {
    const entry = fromRoot(spec.entry);
    if (!existsSync(entry)) {
      throw new Error(`functions/registry.ts: ${spec.name}.entry ${spec.entry} does not exist`);
    }
    const logGroup = new logs.LogGroup(this, `${spec.name}Logs`, {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Its own role, not AWSLambdaBasicExecutionRole (logs:* writes to every log group in the
    // account): this function may write to its own log group only.
    const role = new iam.Role(this, `${spec.name}Role`, {
      description: `JobRelay ${spec.name} function`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);
    const fn = new NodejsFunction(this, spec.name, {
      entry,
      role,
      handler: 'handler',
      description: spec.description,
      projectRoot: repoRoot,
      depsLockFilePath: fromRoot('package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb ?? LAMBDA_DEFAULTS.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds ?? LAMBDA_DEFAULTS.timeoutSeconds),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        TABLE_NAME: table.tableName,
        POWERTOOLS_SERVICE_NAME: 'jobrelay',
        // Stack traces through the bundled source maps.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT, // index.mjs.map next to the bundle, linked by a comment
        // Line mapping for stack traces is all Lambda needs; embedding sources triples the asset.
        sourcesContent: false,
        // The nodejs22.x runtime ships the full SDK v3: leaving `@aws-sdk/*` out halves the bundle
        // and the synth time. Everything else (Powertools, middy, zod, @smithy) is bundled.
        externalModules: ['@aws-sdk/*'],
        // Static files the handler reads at run time (registry `assets`), copied next to index.mjs.
        ...(spec.assets?.length
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  spec.assets!.map(
                    (asset) => `mkdir -p "$(dirname "${outputDir}/${asset}")" && cp -R "${inputDir}/${asset}" "${outputDir}/${asset}"`,
                  ),
              },
            }
          : {}),
      },
    });
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
    const indexReason =
      'Generated by grantReadData/grantReadWriteData: the `index/*` resource covers the GSIs of this one table only (byDue and any added later).';
    switch (grant) {
      case 'table:read':
        table.grantReadData(fn);
        acknowledge(role, `IAM5[Resource::<${logicalIdOf(table)}.Arn>/index/*]`, indexReason);
        return;
      case 'table:readWrite':
        table.grantReadWriteData(fn);
        acknowledge(role, `IAM5[Resource::<${logicalIdOf(table)}.Arn>/index/*]`, indexReason);
        return;
      case 'notifyQueue:send': {
        const { queue, spec } = queues.byName('notify');
        queue.grantSendMessages(fn);
        fn.addEnvironment(queueUrlEnv(spec.name), queue.queueUrl);
        return;
      }
      case 'crmSyncQueue:send': {
        const { queue, spec } = queues.byName('crm-sync');
        queue.grantSendMessages(fn);
        fn.addEnvironment(queueUrlEnv(spec.name), queue.queueUrl);
        return;
      }
      case 'statusEventsQueue:send': {
        const { queue, spec } = queues.byName('status-events');
        queue.grantSendMessages(fn);
        fn.addEnvironment(queueUrlEnv(spec.name), queue.queueUrl);
        return;
      }
      case 'bookingWorkflow:startSync': {
        const spec = stateMachines.find((s) => s.name === 'booking');
        if (!spec) throw new Error('No state machine named booking in functions/registry.ts');
        const stateMachine = stateMachineOf(spec.name);
        stateMachine.grantStartSyncExecution(fn);
        fn.addEnvironment(spec.arnEnv, stateMachine.stateMachineArn);
        return;
      }
      case 'email:send':
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['ses:SendEmail'],
            resources: [`arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/*`],
          }),
        );
        acknowledge(
          role,
          'IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
          "Each tenant verifies its own sender identity at onboarding (its messaging.email.from), so the identities are not known at deploy time; SendEmail is the only action.",
        );
        return;
      case 'jobTrail:start': {
        const spec = stateMachines.find((s) => s.name === 'jobTrail');
        if (!spec) throw new Error('No state machine named jobTrail in functions/registry.ts');
        const stateMachine = stateMachineOf(spec.name);
        stateMachine.grantStartExecution(fn);
        fn.addEnvironment(spec.arnEnv, stateMachine.stateMachineArn);
        return;
      }
      case 'crmSecrets:read':
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['secretsmanager:GetSecretValue'],
            resources: [`arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:jobrelay/*`],
          }),
        );
        acknowledge(
          role,
          'IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:jobrelay/*]',
          'Tenant CRM credentials are created per tenant at onboarding under the jobrelay/ prefix (functions/shared/secrets.ts), so their ARNs are not known at deploy time; the prefix keeps every other secret out of reach.',
        );
        return;
      case 'queues:read':
      case 'queues:redrive': {
        const redrive = grant === 'queues:redrive';
        for (const { spec, queue, deadLetterQueue } of queues.all) {
          fn.addEnvironment(queueUrlEnv(spec.name), queue.queueUrl);
          fn.addEnvironment(dlqUrlEnv(spec.name), deadLetterQueue.queueUrl);
          // Depth and the last move task (ListMessageMoveTasks) of both queues.
          fn.addToRolePolicy(
            new iam.PolicyStatement({ actions: ['sqs:GetQueueAttributes'], resources: [queue.queueArn, deadLetterQueue.queueArn] }),
          );
          fn.addToRolePolicy(
            new iam.PolicyStatement({ actions: ['sqs:ListMessageMoveTasks'], resources: [deadLetterQueue.queueArn] }),
          );
          if (!redrive) continue;
          // Re-send a stored message; StartMessageMoveTask also needs SendMessage on the destination.
          queue.grantSendMessages(fn);
          // The DLQ side of a move task, as the SQS docs list it for StartMessageMoveTask.
          fn.addToRolePolicy(
            new iam.PolicyStatement({
              actions: ['sqs:StartMessageMoveTask', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'],
              resources: [deadLetterQueue.queueArn],
            }),
          );
        }
        return;
      }
      default: {
        const unknown: never = grant;
        throw new Error(`Unknown grant ${String(unknown)}`);
      }
    }
  }
}
