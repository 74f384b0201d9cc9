/** `jobrelay queues [list]|redrive <queue>`: work queues and their DLQs (ops scope, /v1/ops/queues). */
import type { Command } from 'commander';
import { type CliContext, call } from '../context';
import { formatTable } from '../format';

export function registerQueues(program: Command, { settings, print }: CliContext): void {
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
}
