/** `jobrelay report`: bookings to paid revenue by source, campaign or channel (/v1/reports/attribution). */
import type { Command } from 'commander';
import { type CliContext, CliError, call } from '../context';
import { formatTable, money, pct } from '../format';

export function registerReport(program: Command, { io, settings, print }: CliContext): void {
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
}
