/** `jobrelay tenants create`: a new tenant and its first admin key (platform key, POST /v1/tenants). */
import type { Command } from 'commander';
import { type CliContext, call } from '../context';

export function registerTenants(program: Command, { settings, print }: CliContext): void {
  const tenants = program.command('tenants').description('tenants (needs a platform key: JOBRELAY_PLATFORM_KEY or --key)');
  tenants
    .command('create <tenantId>')
    .requiredOption('--name <name>', "the company's name")
    .requiredOption('--time-zone <zone>', 'IANA time zone, e.g. America/Chicago')
    .action(async (tenantId: string, options: { name: string; timeZone: string }) => {
      const created = await call(settings('JOBRELAY_PLATFORM_KEY'), 'POST', '/v1/tenants', { tenantId, name: options.name, timeZone: options.timeZone });
      print(created, () => `Created ${created.tenant.name} (${created.tenant.tenantId}).\nIts first admin key (shown once, stored hashed):\n${created.apiKey}`);
    });
}
