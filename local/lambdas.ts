/**
 * Local Lambda: loads a registry entry's handler module and invokes it as Lambda would, with a
 * JSON round-trip of event and result (so nothing non-serialisable leaks between nodes) and a
 * Lambda-shaped context. A thrown error keeps its name: Step Functions Retry/Catch match on it.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { lambdaByName } from '../functions/registry';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const loaded = new Map<string, Promise<Handler>>();
const repoRoot = resolve(import.meta.dirname, '..');

export const LOCAL_REGION = 'us-east-1';

export function localFunctionArn(lambdaName: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:jobrelay-${lambdaName}`;
}

export function lambdaNameFromArn(arn: string): string | undefined {
  return /:function:jobrelay-([A-Za-z0-9]+)$/.exec(arn)?.[1];
}

function loadHandler(lambdaName: string): Promise<Handler> {
  let handler = loaded.get(lambdaName);
  if (!handler) {
    const spec = lambdaByName(lambdaName);
    handler = import(pathToFileURL(resolve(repoRoot, spec.entry)).href).then((module: { handler?: Handler }) => {
      if (typeof module.handler !== 'function') throw new Error(`${spec.entry} does not export a handler`);
      return module.handler;
    });
    loaded.set(lambdaName, handler);
  }
  return handler;
}

function lambdaContext(lambdaName: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `jobrelay-${lambdaName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(lambdaName),
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/jobrelay-${lambdaName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export async function invokeLambda(lambdaName: string, event: unknown): Promise<unknown> {
  const handler = await loadHandler(lambdaName);
  const spec = lambdaByName(lambdaName);
  try {
    const result = await handler(JSON.parse(JSON.stringify(event ?? null)), lambdaContext(lambdaName, spec.timeoutSeconds ?? 10));
    return result === undefined ? null : JSON.parse(JSON.stringify(result));
  } catch (error) {
    const thrown = error instanceof Error ? error : new Error(String(error));
    const lambdaError = new Error(thrown.message);
    lambdaError.name = thrown.name || 'Error';
    throw lambdaError;
  }
}
