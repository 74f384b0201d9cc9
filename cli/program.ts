/**
 * `npx jobrelay ...`: the operator's command line. It talks to the HTTP API (JOBRELAY_URL,
 * JOBRELAY_API_KEY; `npm start` writes both to .jobrelay/demo.env, read when they are not set).
 * Customer imports have no API route yet, so they write through the recognise store straight to
 * DynamoDB (AWS_ENDPOINT_URL_DYNAMODB and TABLE_NAME locally, from the same file; AWS credentials
 * and TABLE_NAME when deployed), each customer in one transaction.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { ulid } from 'ulid';
import { CsvFileError, parseCustomerRows, parseTechnicianRows, type ParsedRows, type RowProblem } from './import-rows';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Where the progress bar draws (stderr in a terminal; tests pass none). */
  progressStream?: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export class CliError extends Error {}

interface Settings {
  url: string;
  key: string;
}

/** JOBRELAY_* from the environment, else from .jobrelay/demo.env (what `npm start` wrote). */
export function loadSettings(io: Io, options: { url?: string; key?: string }, keyVar = 'JOBRELAY_API_KEY'): Settings {
  const file = join(io.cwd, '.jobrelay', 'demo.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  const url = options.url ?? io.env.JOBRELAY_URL ?? fromFile.JOBRELAY_URL;
  const key = options.key ?? io.env[keyVar] ?? fromFile[keyVar];
  if (!url) throw new CliError('No API URL: set JOBRELAY_URL or run `npm start` (it writes .jobrelay/demo.env)');
  if (!key) throw new CliError(`No API key: set ${keyVar} (or pass --key)`);
  return { url: url.replace(/\/$/, ''), key };
}

/** The local DynamoDB endpoint and table for store writes, from the environment or demo.env. */
function loadStoreEnv(io: Io): void {
  const file = join(io.cwd, '.jobrelay', 'demo.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  for (const name of ['AWS_ENDPOINT_URL_DYNAMODB', 'TABLE_NAME', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
    if (!process.env[name] && (io.env[name] ?? fromFile[name])) process.env[name] = io.env[name] ?? fromFile[name];
  }
  if (!process.env.TABLE_NAME) throw new CliError('Customer import writes the table directly: set TABLE_NAME (and AWS_ENDPOINT_URL_DYNAMODB locally)');
}

async function call<T = any>(settings: Settings, method: string, path: string, body?: unknown): Promise<T> {
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

/** A plain text table: the columns padded to their widest cell. */
export function formatTable(headers: string[], rows: Array<Array<string | number | undefined>>): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === undefined ? '' : String(cell))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (cell ?? '').padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;
const pct = (rate: number | null) => (rate === null ? '-' : `${Math.round(rate * 1000) / 10}%`);

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError('expected a whole number from 1 to 500');
  return n;
}

/** Seed bookings: a spread of sources, campaigns, channels and job types, booked through the API. */
const SEED_MIX = [
  { source: 'google_ads', campaign: 'spring-drains', channel: 'voice', jobTypeId: 'plumbing-drain-clog' },
  { source: 'google_lsa', campaign: undefined, channel: 'voice', jobTypeId: 'plumbing-leak-repair' },
  { source: 'facebook', campaign: 'ac-tuneup', channel: 'chat', jobTypeId: 'hvac-maintenance' },
  { source: 'website', campaign: undefined, channel: 'web', jobTypeId: 'hvac-ac-repair' },
  { source: 'referral', campaign: undefined, channel: 'csr', jobTypeId: 'plumbing-water-heater-repair' },
  { source: 'google_ads', campaign: 'no-heat-winter', channel: 'chat', jobTypeId: 'hvac-furnace-repair' },
  // A bot that sent no marketing source: booked, and a missing_attribution item for the queue.
  { source: undefined, campaign: undefined, channel: 'api', jobTypeId: 'plumbing-drain-clog' },
] as const;
const SEED_NAMES = ['Avery Johnson', 'Blake Martinez', 'Casey Nguyen', 'Devon Brown', 'Emerson Davis', 'Finley Garcia', 'Harper Wilson', 'Jordan Lee'];
const SEED_STREETS = ['Congress Ave', 'S Lamar Blvd', 'E 6th St', 'S 1st St', 'Barton Springs Rd', 'W 12th St'];
/** Postal codes the demo company's technicians cover. */
const SEED_POSTAL = ['78701', '78704', '78702', '78745', '78704', '78703'];

interface ImportSummary {
  imported: number;
  skipped: Array<{ row: number; reason: string }>;
  rejected: RowProblem[];
}

function reportProblems(io: Io, kind: string, parsed: ParsedRows<unknown>, summary: ImportSummary, reportFile?: string): void {
  io.out(
    `${kind}: ${summary.imported} imported, ${summary.skipped.length} already there, ${summary.rejected.length} rejected (of ${parsed.good.length + parsed.bad.length} rows)`,
  );
  if (summary.skipped.length) io.out(summary.skipped.map((s) => `  row ${s.row}: skipped, ${s.reason}`).join('\n'));
  if (summary.rejected.length) {
    io.out('Rejected rows (nothing was written for them):');
    io.out(
      formatTable(
        ['row', 'field', 'problem'],
        summary.rejected.map((p) => [p.row, p.field, p.message]),
      ),
    );
  }
  if (reportFile) {
    const columns = [...new Set(summary.rejected.flatMap((p) => Object.keys(p.values)))];
    writeFileSync(
      reportFile,
      stringify(
        summary.rejected.map((p) => [String(p.row), p.field, p.message, ...columns.map((c) => p.values[c] ?? '')]),
        {
          header: true,
          columns: ['row', 'field', 'problem', ...columns],
        },
      ),
    );
    io.out(`Row report written to ${reportFile}`);
  }
}

async function withProgress<T>(io: Io, label: string, items: T[], write: (item: T) => Promise<void>): Promise<void> {
  const bar = io.progressStream
    ? new SingleBar({ format: `${label} [{bar}] {value}/{total} rows`, stream: io.progressStream, hideCursor: true }, Presets.shades_classic)
    : undefined;
  bar?.start(items.length, 0);
  try {
    for (const item of items) {
      await write(item);
      bar?.increment();
    }
  } finally {
    bar?.stop();
  }
}

export function buildProgram(io: Io, state: { exitCode: number } = { exitCode: 0 }): Command {
  const program = new Command('jobrelay')
    .description('JobRelay from the command line: tenants, API keys, the review queue, queues, reports, seeding and CSV imports')
    .option('--url <url>', 'API base URL (default: JOBRELAY_URL or .jobrelay/demo.env)')
    .option('--key <apiKey>', 'API key (default: JOBRELAY_API_KEY or .jobrelay/demo.env)')
    .option('--json', 'print the API answers as JSON')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();

  const settings = (keyVar?: string) => loadSettings(io, program.opts(), keyVar);
  const json = () => Boolean(program.opts().json);
  const print = (value: unknown, human: () => string) => io.out(json() ? JSON.stringify(value, null, 2) : human());

  program
    .command('whoami')
    .description('the tenant and scopes of the API key')
    .action(async () => {
      const me = await call(settings(), 'GET', '/v1/me');
      print(me, () => `${me.tenantName ?? me.tenantId} (${me.tenantId}), key ${me.keyId}, scopes ${me.scopes.join(', ')}`);
    });

  const tenants = program.command('tenants').description('tenants (needs a platform key: JOBRELAY_PLATFORM_KEY or --key)');
  tenants
    .command('create <tenantId>')
    .requiredOption('--name <name>', "the company's name")
    .requiredOption('--time-zone <zone>', 'IANA time zone, e.g. America/Chicago')
    .action(async (tenantId: string, options: { name: string; timeZone: string }) => {
      const created = await call(settings('JOBRELAY_PLATFORM_KEY'), 'POST', '/v1/tenants', { tenantId, name: options.name, timeZone: options.timeZone });
      print(created, () => `Created ${created.tenant.name} (${created.tenant.tenantId}).\nIts first admin key (shown once, stored hashed):\n${created.apiKey}`);
    });

  const keys = program.command('keys').description("the tenant's API keys (admin scope)");
  keys
    .command('list')
    .option('--tenant <tenantId>', 'another tenant (platform key)')
    .action(async (options: { tenant?: string }) => {
      const { keys: list } = await call(settings(), 'GET', `/v1/keys${options.tenant ? `?tenantId=${encodeURIComponent(options.tenant)}` : ''}`);
      print(list, () =>
        formatTable(
          ['keyId', 'name', 'hint', 'scopes', 'created', 'state'],
          list.map((k: any) => [k.keyId, k.name, k.hint, k.scopes.join(','), k.createdAt, k.revoked ? 'revoked' : 'active']),
        ),
      );
    });
  keys
    .command('create')
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--scopes <scopes>', 'comma-separated: bookings, review, reports, admin, ops')
    .option('--tenant <tenantId>', 'another tenant (platform key)')
    .action(async (options: { name: string; scopes: string; tenant?: string }) => {
      const issued = await call(settings(), 'POST', '/v1/keys', {
        name: options.name,
        scopes: options.scopes
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        ...(options.tenant ? { tenantId: options.tenant } : {}),
      });
      print(issued, () => `Key ${issued.key.keyId} (${issued.key.name}); shown once, stored hashed:\n${issued.apiKey}`);
    });
  for (const action of ['rotate', 'revoke'] as const) {
    keys
      .command(`${action} <keyId>`)
      .option('--tenant <tenantId>', 'another tenant (platform key)')
      .action(async (keyId: string, options: { tenant?: string }) => {
        const query = options.tenant ? `?tenantId=${encodeURIComponent(options.tenant)}` : '';
        const result = await call(settings(), 'POST', `/v1/keys/${encodeURIComponent(keyId)}/${action}${query}`);
        print(result, () => (action === 'rotate' ? `New secret for ${keyId} (the old one no longer works):\n${result.apiKey}` : `Revoked ${keyId}.`));
      });
  }

  const review = program.command('review').description('the human review queue');
  review
    .command('list')
    .option('--kind <kind>')
    .option('--status <status>', 'open or resolved', 'open')
    .option('--older-than <age>', 'e.g. 30m, 4h, 2d')
    .action(async (options: { kind?: string; status?: string; olderThan?: string }) => {
      const query = new URLSearchParams({ limit: '200' });
      if (options.kind) query.set('kind', options.kind);
      if (options.status) query.set('status', options.status);
      if (options.olderThan) query.set('olderThan', options.olderThan);
      const { items } = await call(settings(), 'GET', `/v1/review-items?${query}`);
      print(items, () =>
        formatTable(
          ['id', 'kind', 'status', 'opened', 'subject', 'reason'],
          items.map((i: any) => [i.reviewItemId, i.kind, i.status, i.createdAt, `${i.subject.type} ${i.subject.id}`, i.reason]),
        ),
      );
    });
  review.command('show <id>').action(async (id: string) => {
    const item = await call(settings(), 'GET', `/v1/review-items/${encodeURIComponent(id)}`);
    print(item, () => JSON.stringify(item, null, 2));
  });
  review
    .command('resolve <id>')
    .requiredOption('--note <note>', 'what was done')
    .option('--by <name>', 'who did it (the key id is recorded too)')
    .action(async (id: string, options: { note: string; by?: string }) => {
      const item = await call(settings(), 'POST', `/v1/review-items/${encodeURIComponent(id)}/resolve`, {
        note: options.note,
        ...(options.by ? { by: options.by } : {}),
      });
      print(item, () => `Resolved ${item.reviewItemId} (${item.kind}) by ${item.resolvedBy}.`);
    });
  review
    .command('redrive <id>')
    .option('--by <name>')
    .action(async (id: string, options: { by?: string }) => {
      const result = await call(settings(), 'POST', `/v1/review-items/${encodeURIComponent(id)}/redrive`, options.by ? { by: options.by } : {});
      print(result, () =>
        result.redrive.type === 'dlq'
          ? `Moving the ${result.redrive.queue} DLQ back (${result.redrive.messages} messages, task ${result.redrive.taskHandle}). The item closes when the worker succeeds.`
          : `Sent the stored message to ${result.redrive.queue} again (${result.redrive.messageId}). The item closes when the worker succeeds.`,
      );
    });

  const queues = program.command('queues').description('work queues and their dead-letter queues');
  queues.command('list', { isDefault: true }).action(async () => {
    const { queues: list } = await call(settings(), 'GET', '/v1/ops/queues');
    print(list, () =>
      formatTable(
        ['queue', 'waiting', 'in flight', 'DLQ', 'last redrive'],
        list.map((q: any) => [
          q.queue,
          q.visible,
          q.inFlight,
          q.deadLetter.visible + q.deadLetter.inFlight,
          q.lastRedrive ? `${q.lastRedrive.status} (${q.lastRedrive.moved} moved)` : '-',
        ]),
      ),
    );
  });
  queues.command('redrive <queue>').action(async (queue: string) => {
    const result = await call(settings(), 'POST', `/v1/ops/queues/${encodeURIComponent(queue)}/redrive`);
    print(result, () => `Moving ${result.messages} messages from the ${queue} DLQ back to its queue (task ${result.taskHandle}).`);
  });

  program
    .command('report')
    .description('bookings to paid revenue by source, campaign or channel')
    .option('--from <date>', 'YYYY-MM-DD')
    .option('--to <date>', 'YYYY-MM-DD')
    .option('--group-by <field>', 'source, campaign or channel', 'source')
    .option('--csv', 'print CSV')
    .action(async (options: { from?: string; to?: string; groupBy: string; csv?: boolean }) => {
      const query = new URLSearchParams({ groupBy: options.groupBy });
      if (options.from) query.set('from', options.from);
      if (options.to) query.set('to', options.to);
      const s = settings();
      if (options.csv) {
        const response = await fetch(`${s.url}/v1/reports/attribution?${query}&format=csv`, { headers: { authorization: `Bearer ${s.key}` } });
        if (!response.ok) throw new CliError(`report: HTTP ${response.status}: ${await response.text()}`);
        io.out((await response.text()).trimEnd());
        return;
      }
      const report = await call(s, 'GET', `/v1/reports/attribution?${query}`);
      print(report, () =>
        [
          `${report.from} to ${report.to} (${report.timeZone}), by ${report.groupBy}`,
          formatTable(
            [report.groupBy, 'bookings', 'accepted', 'completed', 'invoiced', 'paid', 'paid revenue', 'booked→paid'],
            [...report.rows, report.totals].map((r: any) => [
              r.group,
              r.bookings,
              r.accepted,
              r.completed,
              r.invoiced,
              r.paid,
              money(r.paidRevenueCents),
              pct(r.conversion.bookedToPaid),
            ]),
          ),
        ].join('\n'),
      );
    });

  program
    .command('seed')
    .description('book demo jobs through the API: a spread of sources, campaigns, channels and job types')
    .option('--bookings <n>', 'how many', positiveInt, 12)
    .option('--no-lifecycle', 'leave the jobs booked (by default every other confirmed job is completed, invoiced and paid)')
    .action(async (options: { bookings: number; lifecycle: boolean }) => {
      const s = settings();
      const outcomes: Record<string, number> = {};
      const confirmed: string[] = [];
      const run = ulid();
      await withProgress(
        io,
        'Booking',
        Array.from({ length: options.bookings }, (_, i) => i),
        async (i) => {
          const mix = SEED_MIX[i % SEED_MIX.length]!;
          const body = {
            customer: { name: SEED_NAMES[i % SEED_NAMES.length], phone: `+1 512 555 ${String(3000 + (Date.now() % 5000) + i).padStart(4, '0')}` },
            address: {
              line1: `${100 + i * 7} ${SEED_STREETS[i % SEED_STREETS.length]}`,
              city: 'Austin',
              region: 'TX',
              postalCode: SEED_POSTAL[i % SEED_POSTAL.length],
              country: 'US',
            },
            jobTypeId: mix.jobTypeId,
            channel: mix.channel,
            ...(mix.source ? { attribution: { source: mix.source, ...(mix.campaign ? { campaign: mix.campaign } : {}) } } : {}),
            summary: 'Demo booking (jobrelay seed)',
          };
          const response = await fetch(`${s.url}/v1/bookings`, {
            method: 'POST',
            headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json', 'idempotency-key': `seed-${run}-${i}` },
            body: JSON.stringify(body),
          });
          const answer = (await response.json()) as { bookingId?: string; status?: string; error?: { code: string } };
          const outcome = answer.status ?? answer.error?.code ?? `HTTP ${response.status}`;
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          if (answer.status === 'confirmed' && answer.bookingId) confirmed.push(answer.bookingId);
        },
      );
      // The field's side, through the job events API (the status-events queue applies them in order):
      // every other confirmed job is dispatched, completed, invoiced and paid, so the report closes the loop.
      let paid = 0;
      if (options.lifecycle) {
        const jobs = confirmed.filter((_, i) => i % 2 === 0);
        await withProgress(io, 'Job events', jobs, async (bookingId) => {
          const amountCents = 18_500 + (bookingId.charCodeAt(25) % 10) * 2_500;
          const steps = [
            { type: 'dispatched', data: {} },
            { type: 'completed', data: { technicianNotes: 'Demo job completed (jobrelay seed)' } },
            { type: 'invoiced', data: { amountCents } },
            { type: 'paid', data: { amountCents } },
          ];
          for (const [index, step] of steps.entries()) {
            await call(s, 'POST', `/v1/jobs/${encodeURIComponent(bookingId)}/events`, {
              eventId: `seed-${run}-${bookingId}-${step.type}`,
              type: step.type,
              occurredAt: new Date(Date.now() + index * 1_000).toISOString(),
              data: step.data,
            });
          }
          paid++;
        });
      }
      print(
        { outcomes, paidJobs: paid },
        () =>
          `Seeded ${options.bookings} bookings: ${Object.entries(outcomes)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')}${paid ? `; ${paid} jobs sent through dispatched, completed, invoiced and paid` : ''}`,
      );
    });

  const imports = program.command('import').description('import from CSV: bad rows are reported, good rows imported, nothing half-written');
  imports
    .command('technicians <file>')
    .description(
      'columns: id,name,trades,skills,postal_codes,mon,tue,wed,thu,fri,sat,sun,phone,daily_job_limit,active (lists split by ; shifts as 08:00-17:00)',
    )
    .option('--report <file>', 'write the rejected rows, with the reason, to this CSV')
    .option('--dry-run', 'check every row, write nothing')
    .action(async (file: string, options: { report?: string; dryRun?: boolean }) => {
      const parsed = parseTechnicianRows(readFileSync(file, 'utf8'));
      const summary: ImportSummary = { imported: 0, skipped: [], rejected: [...parsed.bad] };
      if (!options.dryRun) {
        const s = settings();
        await withProgress(io, 'Technicians', parsed.good, async ({ row, value, values }) => {
          const { technicianId, ...technician } = value;
          try {
            // One PUT per technician (the config API validates again and writes it whole).
            await call(s, 'PUT', `/v1/config/technicians/${encodeURIComponent(technicianId)}`, technician);
            summary.imported++;
          } catch (error) {
            summary.rejected.push({ row, field: 'api', message: (error as Error).message, values });
          }
        });
      }
      summary.rejected.sort((a, b) => a.row - b.row);
      reportProblems(io, options.dryRun ? 'Technicians (dry run)' : 'Technicians', parsed, summary, options.report);
      if (summary.rejected.length) state.exitCode = 1;
    });
  imports
    .command('customers <file>')
    .description('columns: name,phone,email,line1,line2,city,region,postal_code,country (a phone already on file is skipped, never duplicated)')
    .option('--report <file>', 'write the rejected rows, with the reason, to this CSV')
    .option('--dry-run', 'check every row, write nothing')
    .action(async (file: string, options: { report?: string; dryRun?: boolean }) => {
      const parsed = parseCustomerRows(readFileSync(file, 'utf8'));
      const summary: ImportSummary = { imported: 0, skipped: [], rejected: [...parsed.bad] };
      if (!options.dryRun) {
        const me = await call(settings(), 'GET', '/v1/me');
        loadStoreEnv(io);
        const { createCustomer, emptyProfile } = await import('../functions/recognise/store');
        await withProgress(io, 'Customers', parsed.good, async ({ row, value }) => {
          const at = new Date().toISOString();
          const outcome = await createCustomer(
            {
              ...emptyProfile(),
              tenantId: me.tenantId,
              customerId: ulid(),
              name: value.name,
              phoneE164: value.phone,
              ...(value.email ? { email: value.email } : {}),
              addresses: [
                {
                  line1: value.line1,
                  ...(value.line2 ? { line2: value.line2 } : {}),
                  city: value.city,
                  region: value.region,
                  postalCode: value.postal_code,
                  country: value.country,
                },
              ],
              createdAt: at,
              updatedAt: at,
            },
            { phone: true, email: Boolean(value.email) },
          );
          if (outcome.created) summary.imported++;
          else summary.skipped.push({ row, reason: `a customer with this ${outcome.conflict} is already on file` });
        });
      }
      summary.rejected.sort((a, b) => a.row - b.row);
      reportProblems(io, options.dryRun ? 'Customers (dry run)' : 'Customers', parsed, summary, options.report);
      if (summary.rejected.length) state.exitCode = 1;
    });

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
