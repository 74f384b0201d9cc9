/**
 * A Step Functions endpoint for the local runtime: answers the SFN JSON protocol (StartSyncExecution,
 * StartExecution, DescribeExecution) so handlers call @aws-sdk/client-sfn exactly as in AWS. Runs the
 * ASL files from state-machines/ with aws-local-stepfunctions; Task states resolve, through the same
 * `definitionSubstitutions` the CDK stack uses, to local Lambda handlers.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { definitionSubstitutions, executionFailureRules, stateMachines } from '../functions/registry';
import { sfnClient } from '../functions/shared/workflow-client';
import { invokeLambda, lambdaNameFromArn, localFunctionArn, LOCAL_REGION, localStateMachineArn } from './lambdas';
import { freePort } from './ports';

const repoRoot = resolve(import.meta.dirname, '..');

export { localStateMachineArn };

/** A run's execution ARN as this endpoint names it: `:express:` for an Express machine, `:execution:` for a Standard one. */
export function localExecutionArn(machineName: string, executionName: string): string {
  const type = stateMachines.find((m) => m.name === machineName)?.type;
  return `${localStateMachineArn(machineName).replace(':stateMachine:', type === 'EXPRESS' ? ':express:' : ':execution:')}:${executionName}`;
}

interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** States entered (Standard workflows bill per state transition): for the bench's cost model. */
  stateTransitions?: number;
}

interface LoadedMachine {
  machine: StateMachine;
  taskHandlers: Record<string, (input: unknown) => Promise<unknown>>;
  type: 'EXPRESS' | 'STANDARD';
}

const START_EXECUTION = 'arn:aws:states:::states:startExecution';

/**
 * The `states:startExecution` service integration (async, no .sync), as AWS runs it: start the named
 * machine through the SFN API; an existing name is StepFunctions.ExecutionAlreadyExistsException.
 */
async function startExecutionIntegration(input: { StateMachineArn: string; Name?: string; Input?: unknown }) {
  try {
    const started = await sfnClient().send(
      new StartExecutionCommand({
        stateMachineArn: input.StateMachineArn,
        name: input.Name,
        input: typeof input.Input === 'string' ? input.Input : JSON.stringify(input.Input ?? {}),
      }),
    );
    return { ExecutionArn: started.executionArn, StartDate: started.startDate?.toISOString() };
  } catch (error) {
    const failure = new Error((error as Error).message);
    failure.name = `StepFunctions.${(error as Error).name.replace(/Exception$/, '')}Exception`;
    throw failure;
  }
}

/** Reads an ASL file and applies the substitutions the way CloudFormation does. */
export function loadDefinition(file: string): { text: string; definition: Record<string, unknown> } {
  const raw = readFileSync(resolve(repoRoot, file), 'utf8');
  const substitutions = definitionSubstitutions(raw, localFunctionArn, localStateMachineArn);
  const text = raw.replace(/\$\{([A-Za-z0-9_]+)\}/g, (match, key: string) => substitutions[key] ?? match);
  return { text, definition: JSON.parse(text) };
}

/**
 * Multiplies every TimeoutSeconds of a definition (the machine's and each Task's), in place. Only the
 * test system uses it (like retryIntervalMs): it runs every test file at once on two cores, where a
 * node's wall-clock time says nothing about AWS. The budgets themselves are the ASL's, checked by
 * test/infra/asl.test.ts; `npm start` runs them as written.
 */
function scaleTimeouts(definition: Record<string, unknown>, scale: number): void {
  // ASL timeouts are whole seconds, at least 1 (the interpreter refuses anything else).
  const scaled = (seconds: number) => Math.max(1, Math.round(seconds * scale));
  if (typeof definition.TimeoutSeconds === 'number') definition.TimeoutSeconds = scaled(definition.TimeoutSeconds);
  for (const state of Object.values(definition.States as Record<string, { TimeoutSeconds?: number }>)) {
    if (typeof state.TimeoutSeconds === 'number') state.TimeoutSeconds = scaled(state.TimeoutSeconds);
  }
}

function loadMachines(options: { timeoutScale?: number } = {}): Map<string, LoadedMachine> {
  const machines = new Map<string, LoadedMachine>();
  for (const spec of stateMachines) {
    const { definition } = loadDefinition(spec.file);
    if (options.timeoutScale) scaleTimeouts(definition, options.timeoutScale);
    const taskHandlers: LoadedMachine['taskHandlers'] = {};
    for (const [stateName, state] of Object.entries(definition.States as Record<string, { Type: string; Resource?: string }>)) {
      if (state.Type !== 'Task' || !state.Resource) continue;
      if (state.Resource === START_EXECUTION) {
        taskHandlers[stateName] = (input) => startExecutionIntegration(input as never);
        continue;
      }
      const lambdaName = lambdaNameFromArn(state.Resource);
      if (!lambdaName) throw new Error(`Task ${stateName} in ${spec.file} has no local handler for ${state.Resource}`);
      taskHandlers[stateName] = (input) => invokeLambda(lambdaName, input);
    }
    machines.set(localStateMachineArn(spec.name), {
      machine: new StateMachine(definition as never),
      taskHandlers,
      type: spec.type,
    });
  }
  return machines;
}

export interface LocalStepFunctions {
  endpoint: string;
  /** How many states an execution entered (undefined while unknown). */
  stateTransitions(executionArn: string): number | undefined;
  stop(): Promise<void>;
}

class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startStepFunctions(options: { retryIntervalMs?: number; timeoutScale?: number } = {}): Promise<LocalStepFunctions> {
  const machines = loadMachines({ timeoutScale: options.timeoutScale });
  const executions = new Map<string, ExecutionRecord>();
  const epoch = () => Date.now() / 1000;

  /** Local EventBridge: an execution that ends in a status a rule watches invokes the rule's Lambda. */
  async function emitStatusChange(record: ExecutionRecord): Promise<void> {
    for (const rule of executionFailureRules) {
      if (localStateMachineArn(rule.stateMachine) !== record.stateMachineArn) continue;
      if (!rule.statuses.includes(record.status as never)) continue;
      await invokeLambda(rule.lambda, {
        version: '0',
        id: crypto.randomUUID(),
        'detail-type': 'Step Functions Execution Status Change',
        source: 'aws.states',
        account: '000000000000',
        time: new Date().toISOString(),
        region: LOCAL_REGION,
        resources: [record.executionArn],
        detail: { ...record, startDate: record.startDate * 1000, stopDate: (record.stopDate ?? 0) * 1000 },
      }).catch((error: Error) => console.error(`local events: ${rule.lambda} failed:`, error.message));
    }
  }

  async function run(machine: LoadedMachine, record: ExecutionRecord): Promise<void> {
    const retryIntervalOverrides =
      options.retryIntervalMs === undefined ? undefined : Object.fromEntries(Object.keys(machine.taskHandlers).map((name) => [name, options.retryIntervalMs!]));
    try {
      const input = JSON.parse(record.input);
      const execution = machine.machine.run(input, {
        overrides: { taskResourceLocalHandlers: machine.taskHandlers as never, retryIntervalOverrides },
        // The Context Object ($$) as AWS fills it.
        context: {
          Execution: { Id: record.executionArn, Name: record.name, Input: input, StartTime: new Date(record.startDate * 1000).toISOString() },
          StateMachine: { Id: record.stateMachineArn, Name: record.stateMachineArn.split(':').pop() },
        },
      });
      const counting = (async () => {
        record.stateTransitions = 0;
        for await (const event of execution.eventLogs) if (event.type === 'StateEntered') record.stateTransitions++;
      })().catch(() => undefined);
      const output = await execution.result;
      await counting;
      Object.assign(record, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null), stopDate: epoch() });
    } catch (error) {
      // The interpreter wraps the failure; report the state's own error name and message like AWS.
      const cause = (error as { cause?: Error }).cause ?? (error as Error);
      // The machine's own TimeoutSeconds (the interpreter's ExecutionTimeoutError) ends it TIMED_OUT, as in AWS.
      const timedOut = cause.name === 'States.Timeout' || cause.name === 'ExecutionTimeoutError';
      Object.assign(record, {
        status: timedOut ? 'TIMED_OUT' : 'FAILED',
        error: cause.name === 'ExecutionTimeoutError' ? 'States.Timeout' : cause.name,
        cause: cause.message,
        stopDate: epoch(),
      });
      if (machine.type === 'STANDARD') await emitStatusChange(record);
    }
  }

  function start(body: { stateMachineArn?: string; name?: string; input?: string }): { machine: LoadedMachine; record: ExecutionRecord } {
    const machine = body.stateMachineArn ? machines.get(body.stateMachineArn) : undefined;
    if (!machine) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${body.stateMachineArn}'`);
    const name = body.name ?? crypto.randomUUID();
    const kind = machine.type === 'EXPRESS' ? 'express' : 'execution';
    const executionArn = `${body.stateMachineArn!.replace(':stateMachine:', `:${kind}:`)}:${name}`;
    if (executions.has(executionArn)) throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: body.stateMachineArn!,
      name,
      input: body.input ?? '{}',
      status: 'RUNNING',
      startDate: epoch(),
    };
    executions.set(executionArn, record);
    return { machine, record };
  }

  const actions: Record<string, (body: Record<string, string>) => Promise<unknown>> = {
    async StartSyncExecution(body) {
      const { machine, record } = start(body);
      if (machine.type !== 'EXPRESS') throw new SfnError('StateMachineTypeNotSupported', 'StartSyncExecution needs an Express state machine');
      await run(machine, record);
      return record;
    },
    async StartExecution(body) {
      const { machine, record } = start(body);
      void run(machine, record);
      return { executionArn: record.executionArn, startDate: record.startDate };
    },
    async DescribeExecution(body) {
      const record = executions.get(body.executionArn ?? '');
      if (!record) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${body.executionArn}'`);
      return record;
    },
  };

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const action = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(payload));
    };
    const handler = actions[action];
    if (!handler) return reply(400, { __type: 'UnknownOperationException', message: `Not supported locally: ${action}` });
    try {
      reply(200, await handler(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')));
    } catch (error) {
      if (error instanceof SfnError) return reply(400, { __type: error.type, message: error.message });
      reply(500, { __type: 'InternalServerError', message: (error as Error).message });
    }
  });
  const port = await freePort();
  await new Promise<void>((resolveListen) => server.listen(port, '127.0.0.1', resolveListen));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stateTransitions: (executionArn) => executions.get(executionArn)?.stateTransitions,
    stop: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
