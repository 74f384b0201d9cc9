/**
 * Local Lambda: each function runs as it will in AWS. Its bundle (local/bundle.ts) runs in worker
 * threads of its own, a warm pool per function like Lambda's instances, one invocation per
 * instance at a time; each instance has only the environment variables of the function's
 * synthesised definition (lib/function-definition.ts, the code the CDK stack uses), its timeout
 * (an invocation still running then fails as `Sandbox.Timedout` and its instance is discarded, as
 * Lambda does) and its role's IAM statements checked on every AWS SDK call (local/lambda-guest.ts).
 * Event and result cross as JSON, and a thrown error keeps its name: Step Functions Retry/Catch match on it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { environmentFor, memoryMbOf, statementsFor, timeoutSecondsOf, type AllowStatement, type GrantRefs } from '../lib/function-definition';
import { lambdaByName, lambdas, stateMachines, substitutionKey, taskLambdaNames, type LambdaSpec } from '../functions/registry';
import { bundleFile, bundleLambdas } from './bundle';
import { isAllowed } from './iam';
import type { GuestData, GuestReply, GuestRequest } from './lambda-guest';
import { LOCAL_ACCOUNT, localQueueName, localQueueUrl } from './sqs';

const repoRoot = resolve(import.meta.dirname, '..');

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_TABLE_NAME = 'jobrelay';
/** Where the bundles are: set by the local system for every process that invokes (tests too). */
export const BUNDLE_DIR_ENV = 'JOBRELAY_LOCAL_LAMBDA_BUNDLE';
/**
 * Multiplies every function's timeout (tests: the same factor as the workflows' TimeoutSeconds,
 * local/stepfunctions.ts), set by the local system for every process that invokes. Many files at once
 * on two busy cores stretch a handler's wall time, not its work: unscaled, a 6 s node timed out as
 * `Sandbox.Timedout` while its Task (scaled) still waited. The handler sees the scaled deadline too
 * (getRemainingTimeInMillis), as its Task's. A test's own `timeoutSeconds` override is never scaled.
 */
export const TIMEOUT_SCALE_ENV = 'JOBRELAY_LOCAL_TIMEOUT_SCALE';
/**
 * Where to write a CPU profile of every local Lambda instance (bench, diagnosis: `.cpuprofile` files
 * for Chrome DevTools or speedscope): each instance profiles from the end of its init until
 * stopLambdas. Unset (always, outside a diagnosis): no profiling.
 */
export const CPU_PROFILE_DIR_ENV = 'JOBRELAY_LOCAL_CPU_PROFILE_DIR';
/** Concurrent instances per function in one process; further invocations wait for a free one. */
const MAX_INSTANCES = 4;
/**
 * The synchronous booking path keeps this many instances warm, and no more: a Task's TimeoutSeconds
 * (2 s for most booking nodes) would otherwise include a local cold start (~0.7 s of CPU each, several
 * at once on two cores), which AWS's ~300 ms and provisioned concurrency make rare. A call beyond
 * them waits for a warm one (a few hundred ms at most) instead of starting another.
 */
const SYNCHRONOUS_PATH_INSTANCES = 2;

export function localFunctionArn(lambdaName: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:jobrelay-${lambdaName}`;
}

export function lambdaNameFromArn(arn: string): string | undefined {
  return /:function:jobrelay-([A-Za-z0-9]+)$/.exec(arn)?.[1];
}

export function localStateMachineArn(name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:jobrelay-${name}`;
}

/** What grants point at, locally: the names and ARNs of the local table, queues and state machines. */
export function localGrantRefs(sqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS ?? ''): GrantRefs {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
  return {
    tableName: LOCAL_TABLE_NAME,
    tableArn: arn('dynamodb', `table/${LOCAL_TABLE_NAME}`),
    queueUrl: (name) => localQueueUrl(sqsEndpoint, localQueueName(name)),
    queueArn: (name) => arn('sqs', localQueueName(name)),
    dlqUrl: (name) => localQueueUrl(sqsEndpoint, localQueueName(name, '-dlq')),
    dlqArn: (name) => arn('sqs', localQueueName(name, '-dlq')),
    stateMachineArn: localStateMachineArn,
    arn,
  };
}

/**
 * Variables of the machine, not of the function: the Lambda runtime's own, plus the local
 * runtime's settings (endpoints, dummy credentials, JOBRELAY_* switches, log level) taken from
 * this process. Everything else comes from the function's definition.
 */
const LOCAL_SETTING =
  /^(AWS_ENDPOINT_URL_[A-Z_]+|AWS_REGION|AWS_DEFAULT_REGION|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|JOBRELAY_[A-Z_]+|LOG_LEVEL|CRM_SYNC_BACKOFF_[A-Z_]+)$/;
const LOCAL_SECRETS_FILE = 'JOBRELAY_LOCAL_SECRETS_FILE';

function sandboxEnvironment(spec: LambdaSpec, statements: AllowStatement[], refs: GrantRefs): Record<string, string> {
  const settings = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        LOCAL_SETTING.test(entry[0]) &&
        entry[1] !== undefined &&
        entry[0] !== BUNDLE_DIR_ENV &&
        entry[0] !== TIMEOUT_SCALE_ENV &&
        entry[0] !== CPU_PROFILE_DIR_ENV,
    ),
  );
  // The local secrets file stands in for Secrets Manager (functions/shared/secrets.ts): only a role
  // that may read or write tenant secrets gets it. Any other function that reaches for a secret
  // takes the Secrets Manager path, where the IAM check refuses it as AWS would.
  const tenantSecret = refs.arn('secretsmanager', 'secret:jobrelay/tenant/purpose-AbCdEf');
  const secretsAllowed = ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'].some((action) =>
    isAllowed(statements, { action, resource: tenantSecret }),
  );
  if (!secretsAllowed) delete settings[LOCAL_SECRETS_FILE];
  return {
    ...settings,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    // Never out of this machine: a denied secrets call fails before it is sent, this is a backstop.
    AWS_ENDPOINT_URL_SECRETS_MANAGER: settings.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? 'http://127.0.0.1:9',
    AWS_LAMBDA_FUNCTION_NAME: `jobrelay-${spec.name}`,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMbOf(spec)),
    // The task root holds the registry `assets` at their repository paths; locally that is the repository.
    LAMBDA_TASK_ROOT: repoRoot,
    ...environmentFor(spec, refs),
  };
}

/** A test may narrow a function: fewer grants, a shorter timeout (never a registry change). */
export interface LocalFunctionOverrides {
  grants?: LambdaSpec['grants'];
  timeoutSeconds?: number;
}

/** AWS SDK calls made by each local function since the last reset, by command (bench/ reads them). */
const awsCalls = new Map<string, Record<string, number>>();

export function localAwsCalls(): ReadonlyMap<string, Readonly<Record<string, number>>> {
  return awsCalls;
}

export function resetLocalAwsCalls(): void {
  awsCalls.clear();
}

function addCalls(lambdaName: string, calls: Record<string, number> | undefined): void {
  if (!calls) return;
  const total = awsCalls.get(lambdaName) ?? {};
  for (const [command, count] of Object.entries(calls)) total[command] = (total[command] ?? 0) + count;
  awsCalls.set(lambdaName, total);
}

function lambdaError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

interface Instance {
  worker: Worker;
  ready: Promise<void>;
  /** Set when CPU_PROFILE_DIR_ENV asks for profiles. */
  profile?: Promise<{ stop(): Promise<string> }>;
}

class FunctionPool {
  private readonly idle: Instance[] = [];
  private readonly waiting: Array<(instance: Instance | undefined) => void> = [];
  private instances = 0;
  private nextId = 0;

  constructor(
    private readonly spec: LambdaSpec,
    private readonly bundleDir: string,
    private maxInstances = MAX_INSTANCES,
  ) {}

  private start(): Instance {
    const refs = localGrantRefs();
    const statements = statementsFor(this.spec, refs);
    const data: GuestData = {
      functionName: `jobrelay-${this.spec.name}`,
      functionArn: localFunctionArn(this.spec.name),
      principalArn: `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/jobrelay-${this.spec.name}-role/jobrelay-${this.spec.name}`,
      timeoutSeconds: timeoutSecondsOf(this.spec),
      memoryMb: memoryMbOf(this.spec),
      statements,
      identity: { region: LOCAL_REGION, account: LOCAL_ACCOUNT },
    };
    const worker = new Worker(bundleFile(this.bundleDir, lambdaByName(this.spec.name).name), {
      workerData: data,
      // Node with no flags, as Lambda runs the bundle: a worker would otherwise inherit this process's
      // `--import tsx` (npm start, bench, tests), whose loader thread transforms every chunk again at
      // init, caches source maps in the function's heap and source-maps every stack trace (issue 19:
      // measured ~2x the CPU per booking).
      execArgv: [],
      env: sandboxEnvironment(this.spec, statements, refs),
      // The function's memory setting bounds its heap, as Lambda's memory bounds the whole sandbox.
      resourceLimits: { maxOldGenerationSizeMb: memoryMbOf(this.spec) },
      // Its logs go to this process's output, as a function's go to CloudWatch (copied, not piped:
      // piping every instance into one stream would add listeners to it per instance).
      stdout: true,
      stderr: true,
    });
    worker.stdout.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    worker.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    this.instances++;
    const ready = new Promise<void>((resolveReady, reject) => {
      const onMessage = (message: GuestReply) => {
        if (!('ready' in message)) return;
        worker.off('message', onMessage);
        resolveReady();
      };
      worker.on('message', onMessage);
      worker.once('error', (error) => reject(lambdaError('Runtime.ImportModuleError', `${this.spec.name} failed to start: ${error.message}`)));
      worker.once('exit', (code) => reject(lambdaError('Runtime.ExitError', `${this.spec.name} exited during init (code ${code})`)));
    });
    const instance: Instance = { worker, ready };
    ready.catch(() => this.discard(instance));
    if (process.env[CPU_PROFILE_DIR_ENV]) {
      instance.profile = ready.then(() => worker.startCpuProfile(`jobrelay-${this.spec.name}`));
      instance.profile.catch(() => undefined);
    }
    return instance;
  }

  private async acquire(): Promise<Instance> {
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.instances < this.maxInstances) return this.start();
    const freed = await new Promise<Instance | undefined>((resolveFreed) => this.waiting.push(resolveFreed));
    return freed ?? this.acquire();
  }

  private release(instance: Instance): void {
    const next = this.waiting.shift();
    if (next) {
      next(instance);
      return;
    }
    instance.worker.unref();
    this.idle.push(instance);
  }

  private discard(instance: Instance): void {
    this.instances--;
    const index = this.idle.indexOf(instance);
    if (index >= 0) this.idle.splice(index, 1);
    void instance.worker.terminate();
    // A waiter may start a fresh instance in its place.
    this.waiting.shift()?.(undefined);
  }

  async invoke(event: unknown): Promise<unknown> {
    const queued = performance.now();
    const instance = await this.acquire();
    await instance.ready;
    // Where an invocation's time goes (bench/booking.ts): waiting for an instance, then the round trip to it.
    const posted = performance.now();
    addCalls(this.spec.name, { 'Local.waitForInstance.ms': posted - queued });
    const { worker } = instance;
    worker.ref();
    const id = this.nextId++;
    const timeoutSeconds = timeoutSecondsOf(this.spec);
    let settle: () => void = () => undefined;
    try {
      const result = await new Promise<unknown>((resolveResult, reject) => {
        const onMessage = (reply: GuestReply) => {
          if ('ready' in reply || reply.id !== id) return;
          addCalls(this.spec.name, { ...reply.calls, 'Local.roundTrip.ms': performance.now() - posted });
          if (reply.ok) resolveResult(JSON.parse(reply.result));
          else reject(lambdaError(reply.error.name, reply.error.message));
        };
        // An uncaught error or an exit ends the instance, as a crashed runtime ends a sandbox.
        const onError = (error: Error) => reject(lambdaError('Runtime.ExitError', `${this.spec.name}: ${error.message}`));
        const onExit = (code: number) => reject(lambdaError('Runtime.ExitError', `${this.spec.name} exited (code ${code})`));
        const timer = setTimeout(
          () => reject(lambdaError('Sandbox.Timedout', `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`)),
          timeoutSeconds * 1000,
        );
        settle = () => {
          clearTimeout(timer);
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        worker.postMessage({ id, event: JSON.stringify(event ?? null) } satisfies GuestRequest);
      });
      settle();
      this.release(instance);
      return result;
    } catch (error) {
      settle();
      // A handler error leaves the instance warm; a timeout or a crash does not.
      if ((error as Error).name === 'Sandbox.Timedout' || (error as Error).name === 'Runtime.ExitError') this.discard(instance);
      else this.release(instance);
      throw error;
    }
  }

  /** Start `count` instances ahead of the first invocation and keep to them (Lambda's provisioned concurrency). */
  async warm(count: number): Promise<void> {
    this.maxInstances = count;
    const started: Instance[] = [];
    while (this.instances < count) started.push(this.start());
    await Promise.all(started.map((instance) => instance.ready));
    for (const instance of started) this.release(instance);
  }

  async stop(): Promise<void> {
    const all = this.idle.splice(0);
    const dir = process.env[CPU_PROFILE_DIR_ENV];
    await Promise.all(
      all.map(async (instance, index) => {
        if (dir && instance.profile) {
          const profile = await instance.profile.then((handle) => handle.stop()).catch(() => undefined);
          if (profile) writeFileSync(join(dir, `${this.spec.name}-${index}-${instance.worker.threadId}.cpuprofile`), profile);
        }
        await instance.worker.terminate();
      }),
    );
  }
}

const pools = new Map<string, FunctionPool>();
let bundle: Promise<{ dir: string; remove?: () => void }> | undefined;

/**
 * Bundle the functions once (the local system calls this at start and passes the folder on to
 * test processes through BUNDLE_DIR_ENV); a process without one bundles on first invocation.
 */
export function prepareLambdas(): Promise<{ dir: string; remove?: () => void }> {
  const dir = process.env[BUNDLE_DIR_ENV];
  bundle ??= dir ? Promise.resolve({ dir }) : bundleLambdas();
  return bundle;
}

/** Ends every warm instance of this process and removes a bundle it made. */
export async function stopLambdas(): Promise<void> {
  await Promise.all([...pools.values()].map((pool) => pool.stop()));
  pools.clear();
  const made = await bundle?.catch(() => undefined);
  bundle = undefined;
  made?.remove?.();
}

async function poolFor(lambdaName: string, overrides?: LocalFunctionOverrides): Promise<FunctionPool> {
  const key = overrides ? `${lambdaName} ${JSON.stringify(overrides)}` : lambdaName;
  const { dir } = await prepareLambdas();
  let pool = pools.get(key);
  if (!pool) {
    const spec = lambdaByName(lambdaName);
    const scale = Number(process.env[TIMEOUT_SCALE_ENV] ?? 1) || 1;
    pool = new FunctionPool({ ...spec, timeoutSeconds: timeoutSecondsOf(spec) * scale, ...overrides }, dir);
    pools.set(key, pool);
  }
  return pool;
}

/**
 * The functions a synchronous booking waits on: the nodes of the workflow started synchronously
 * (StartSyncExecution, the `bookingWorkflow:startSync` grant) and the routes that start it. The job
 * trail is Express too, but started asynchronously: nobody waits on it.
 */
export function synchronousPath(): string[] {
  const express = stateMachines.filter((machine) => machine.type === 'EXPRESS' && machine.name === 'booking');
  return [
    ...new Set([
      ...lambdas.filter((spec) => spec.grants.includes('bookingWorkflow:startSync')).map((spec) => spec.name),
      ...express.flatMap((machine) => taskLambdaNames(readFileSync(resolve(repoRoot, machine.file), 'utf8'))),
    ]),
  ];
}

/**
 * Warm instances of each named function, as provisioned concurrency keeps the synchronous booking
 * path warm in AWS: no booking node pays a cold start inside its Task's time budget. Unless told
 * how many, SYNCHRONOUS_PATH_INSTANCES per Task the function runs on that path (BookingNodes runs
 * four in a row: as many as four one-Task functions would keep), at most MAX_INSTANCES.
 */
export async function warmLambdas(names: readonly string[], instances?: number): Promise<void> {
  const booking = readFileSync(resolve(repoRoot, stateMachines.find((machine) => machine.name === 'booking')!.file), 'utf8');
  const tasksOf = (name: string) => Math.max(1, booking.split(`\${${substitutionKey(name)}}`).length - 1);
  await Promise.all(names.map(async (name) => (await poolFor(name)).warm(instances ?? Math.min(MAX_INSTANCES, SYNCHRONOUS_PATH_INSTANCES * tasksOf(name)))));
}

export async function invokeLambda(lambdaName: string, event: unknown, overrides?: LocalFunctionOverrides): Promise<unknown> {
  return (await poolFor(lambdaName, overrides)).invoke(event);
}
