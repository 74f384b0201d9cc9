/**
 * `npx jobrelay ...`: the operator's command line, one module per command (cli/commands/*.ts). It
 * talks to the HTTP API (cli/context.ts); only the customer import, which has no API route yet,
 * writes through its owning store module (cli/commands/import.ts).
 */
import { Command } from 'commander';
import { registerCrm } from './commands/crm';
import { registerCrmSync } from './commands/crm-sync';
import { registerImport } from './commands/import';
import { registerKeys } from './commands/keys';
import { registerQueues } from './commands/queues';
import { registerReport } from './commands/report';
import { registerReview } from './commands/review';
import { registerSeed } from './commands/seed';
import { registerTenants } from './commands/tenants';
import { registerWhoami } from './commands/whoami';
import { CliError, createContext, type Io } from './context';
import { CsvFileError } from './import-rows';

export { CliError, type Io, loadSettings } from './context';
export { formatTable } from './format';

/** The commands, in the order `jobrelay --help` lists them. */
const COMMANDS = [
  registerWhoami,
  registerTenants,
  registerKeys,
  registerReview,
  registerQueues,
  registerReport,
  registerSeed,
  registerImport,
  registerCrm,
  registerCrmSync,
];

export function buildProgram(io: Io, state: { exitCode: number } = { exitCode: 0 }): Command {
  const program = new Command('jobrelay')
    .description('JobRelay from the command line: tenants, API keys, the review queue, queues, reports, seeding and CSV imports')
    .option('--url <url>', 'API base URL (default: JOBRELAY_URL or .jobrelay/demo.env)')
    .option('--key <apiKey>', 'API key (default: JOBRELAY_API_KEY or .jobrelay/demo.env)')
    .option('--json', 'print the API answers as JSON')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();
  const context = createContext(program, io, state);
  for (const register of COMMANDS) register(program, context);
  return program;
}

/** Runs one command line; returns the exit code (never calls process.exit, so tests can call it). */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const state = { exitCode: 0 };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (code?.startsWith('commander.')) return (error as { exitCode?: number }).exitCode ?? 1;
    io.err(`jobrelay: ${(error as Error).message}`);
    return error instanceof CliError || error instanceof CsvFileError ? 1 : 2;
  }
}
