/** `jobrelay keys list|create|rotate|revoke`: the tenant's API keys (admin scope, /v1/keys). */
import type { Command } from 'commander';
import { type CliContext, call } from '../context';
import { formatTable } from '../format';

export function registerKeys(program: Command, { settings, print }: CliContext): void {
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
}
