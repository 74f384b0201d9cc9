/**
 * `jobrelay crm sync [status]|start [--incremental]`: the CRM read sync (admin scope, /v1/crm/sync):
 * start a backfill (or an incremental run) and follow its progress. Joins the `crm` command when
 * another module made it (setup), else makes it.
 */
import type { Command } from 'commander';
import { type CliContext, call } from '../context';
import { formatTable } from '../format';

export function registerCrmSync(program: Command, { settings, print }: CliContext): void {
  const crm = program.commands.find((c) => c.name() === 'crm') ?? program.command('crm').description('the connected CRM');
  const sync = crm.command('sync').description("read sync of the CRM's customers (backfill, incremental)");
  const show = (status: any) =>
    formatTable(
      ['state', 'mode', 'adapter', 'pages', 'customers', 'throttled', 'started', 'finished', 'waiting on'],
      [
        [
          status.state,
          status.mode,
          status.adapter,
          status.pages,
          status.customers,
          status.throttled ?? 0,
          status.startedAt,
          status.finishedAt ?? '-',
          status.state === 'waiting' || status.state === 'failed' ? `${status.lastError ?? ''}${status.retryAt ? ` (again at ${status.retryAt})` : ''}` : '-',
        ],
      ],
    );
  sync.command('status', { isDefault: true }).action(async () => {
    const status = await call(settings(), 'GET', '/v1/crm/sync');
    print(status, () => show(status));
  });
  sync
    .command('start')
    .option('--incremental', 'only customers changed since the last finished run')
    .action(async (options: { incremental?: boolean }) => {
      const status = await call(settings(), 'POST', '/v1/crm/sync', { mode: options.incremental ? 'incremental' : 'backfill' });
      print(status, () => show(status));
    });
}
