/**
 * What every command shares: where output goes, the API's URL and key (JOBRELAY_URL, JOBRELAY_API_KEY;
 * `npm start` writes both to .jobrelay/demo.env, read when they are not set), one HTTP call with the
 * API's error shape turned into a CliError, and JSON-or-human printing (`--json`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import type { Command } from 'commander';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Where the progress bar draws (stderr in a terminal; tests pass none). */
  progressStream?: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A refusal the user can act on: printed, exit code 1. */
export class CliError extends Error {}

export interface Settings {
  url: string;
  key: string;
}

/** What `npm start` wrote to .jobrelay/demo.env (empty when there is none). */
export function demoEnv(io: Io): Record<string, string | undefined> {
  const file = join(io.cwd, '.jobrelay', 'demo.env');
  return existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
}

/** JOBRELAY_* from the environment, else from .jobrelay/demo.env (what `npm start` wrote). */
export function loadSettings(io: Io, options: { url?: string; key?: string }, keyVar = 'JOBRELAY_API_KEY'): Settings {
  const fromFile = demoEnv(io);
  const url = options.url ?? io.env.JOBRELAY_URL ?? fromFile.JOBRELAY_URL;
  const key = options.key ?? io.env[keyVar] ?? fromFile[keyVar];
  if (!url) throw new CliError('No API URL: set JOBRELAY_URL or run `npm start` (it writes .jobrelay/demo.env)');
  if (!key) throw new CliError(`No API key: set ${keyVar} (or pass --key)`);
  return { url: url.replace(/\/$/, ''), key };
}

/** One API call; a non-2xx answer becomes a CliError naming the route, status, code and field. */
export async function call<T = any>(settings: Settings, method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${settings.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${settings.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new CliError(`Cannot reach ${settings.url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  const parsed = (() => {
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      return text;
    }
  })();
  if (!response.ok) {
    const error = parsed?.error;
    throw new CliError(
      `${method} ${path}: HTTP ${response.status} ${error?.code ?? ''}: ${error?.message ?? text}${error?.field ? ` (field ${error.field})` : ''}`,
    );
  }
  return parsed as T;
}

/** Handed to each command module (cli/commands/*.ts) when it registers itself. */
export interface CliContext {
  io: Io;
  /** The process exit code a command sets when it finished with problems (rejected rows). */
  state: { exitCode: number };
  /** The API URL and key from --url/--key, the environment or demo.env; `keyVar` for another key (platform). */
  settings(keyVar?: string): Settings;
  /** The API answer as JSON with --json, else the human text. */
  print(value: unknown, human: () => string): void;
}

export function createContext(program: Command, io: Io, state: { exitCode: number }): CliContext {
  return {
    io,
    state,
    settings: (keyVar) => loadSettings(io, program.opts(), keyVar),
    print: (value, human) => io.out(program.opts().json ? JSON.stringify(value, null, 2) : human()),
  };
}
