/** `jobrelay review list|show|resolve|redrive`: the human review queue (/v1/review-items). */
import type { Command } from 'commander';
import { type CliContext, call } from '../context';
import { formatTable } from '../format';

export function registerReview(program: Command, { settings, print }: CliContext): void {
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
}
