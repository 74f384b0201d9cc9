/**
 * `jobrelay import technicians|customers <file>`: CSV imports. Bad rows are reported with row and
 * field, good rows written whole, nothing half-written. Technicians go through the config API (one
 * PUT each). Customers have no API route yet: they are written through their owning store
 * (functions/recognise/store.ts) straight to DynamoDB, each customer in one transaction, with
 * AWS_ENDPOINT_URL_DYNAMODB and TABLE_NAME from the environment or .jobrelay/demo.env locally (AWS
 * credentials and TABLE_NAME when deployed).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { ulid } from 'ulid';
import { type CliContext, CliError, call, demoEnv, type Io } from '../context';
import { formatTable, withProgress } from '../format';
import { type ParsedRows, parseCustomerRows, parseTechnicianRows, type RowProblem } from '../import-rows';

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

/** The local DynamoDB endpoint and table for store writes, from the environment or demo.env. */
function loadStoreEnv(io: Io): void {
  const fromFile = demoEnv(io);
  for (const name of ['AWS_ENDPOINT_URL_DYNAMODB', 'TABLE_NAME', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
    if (!process.env[name] && (io.env[name] ?? fromFile[name])) process.env[name] = io.env[name] ?? fromFile[name];
  }
  if (!process.env.TABLE_NAME) throw new CliError('Customer import writes the table directly: set TABLE_NAME (and AWS_ENDPOINT_URL_DYNAMODB locally)');
}

export function registerImport(program: Command, { io, state, settings }: CliContext): void {
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
        // Loaded after the environment is set: the store's client reads its endpoint and table then.
        const { createCustomer, emptyProfile } = await import('../../functions/recognise/store');
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
}
