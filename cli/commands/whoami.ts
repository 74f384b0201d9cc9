/** `jobrelay whoami`: the tenant and scopes of the API key (GET /v1/me). */
import type { Command } from 'commander';
import { type CliContext, call } from '../context';

export function registerWhoami(program: Command, { settings, print }: CliContext): void {
  program
    .command('whoami')
    .description('the tenant and scopes of the API key')
    .action(async () => {
      const me = await call(settings(), 'GET', '/v1/me');
      print(me, () => `${me.tenantName ?? me.tenantId} (${me.tenantId}), key ${me.keyId}, scopes ${me.scopes.join(', ')}`);
    });
}
