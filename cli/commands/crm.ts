/**
 * `jobrelay crm show|connect|credentials|test|options|map`: connecting the CRM as the console's
 * "Connect your CRM" page does (/v1/config/crm, /v1/config/crm/credentials, /v1/config/crm/test,
 * /v1/config/crm/options, /v1/config/crm-mapping `ids`). Credentials are sent, never printed.
 */
import type { Command } from 'commander';
import { CliError, type CliContext, call } from '../context';
import { formatTable } from '../format';

/** `key=value` pairs; numbers stay numbers (timeoutMs), everything else a string. */
function pairs(values: string[], what: string): Record<string, string | number> {
  return Object.fromEntries(
    values.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new CliError(`${what}: expected key=value, got "${pair}"`);
      const [key, value] = [pair.slice(0, at), pair.slice(at + 1)];
      return [key, key === 'timeoutMs' ? Number(value) : value];
    }),
  );
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerCrm(program: Command, { settings, print }: CliContext): void {
  const crm = program.commands.find((c) => c.name() === 'crm') ?? program.command('crm').description('the connected CRM');
  crm.command('show').action(async () => {
    const config = await call(settings(), 'GET', '/v1/config/crm');
    print(config, () => `${config.crm.adapter}: credentials ${config.credentialSet ? 'set' : 'NOT set'}\n${JSON.stringify(config.crm, null, 2)}`);
  });
  crm
    .command('connect <adapter>')
    .description('choose the adapter and its settings, e.g. connect servicetitan --set stTenantId=1234567 --set bookingProviderId=42')
    .option('--set <key=value>', 'a setting (repeat)', collect, [])
    .action(async (adapter: string, options: { set: string[] }) => {
      const config = await call(settings(), 'PUT', '/v1/config/crm', { adapter, ...pairs(options.set, '--set') });
      print(config, () => `CRM is ${config.crm.adapter}; credentials ${config.credentialSet ? 'set' : 'not set yet (jobrelay crm credentials)'}.`);
    });
  crm
    .command('credentials')
    .description("set the CRM credentials for the account's adapter, e.g. --set accessToken=... (never printed)")
    .option('--set <key=value>', 'a credential field (repeat)', collect, [])
    .action(async (options: { set: string[] }) => {
      const { crm: current } = await call(settings(), 'GET', '/v1/config/crm');
      const status = await call(settings(), 'PUT', '/v1/config/crm/credentials', { adapter: current.adapter, ...pairs(options.set, '--set') });
      print(status, () => `Credentials for ${status.provider} set at ${status.updatedAt}.`);
    });
  crm.command('test').action(async () => {
    const result = await call(settings(), 'POST', '/v1/config/crm/test');
    print(result, () =>
      [
        `${result.adapter}: ${result.ok ? 'OK' : 'NOT OK'} (auth ${result.auth})${result.message ? ` - ${result.message}` : ''}`,
        result.scopes.length ? `scopes: ${result.scopes.join(' ')}` : '',
        Object.keys(result.visible).length
          ? `sees: ${Object.entries(result.visible)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')}`
          : '',
        result.createdProperties?.length ? `created properties: ${result.createdProperties.join(' ')}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  });
  crm.command('options').action(async () => {
    const options = await call(settings(), 'GET', '/v1/config/crm/options');
    const rows = [
      ...(['jobTypes', 'campaigns', 'businessUnits', 'technicians'] as const).flatMap((list) => options[list].map((o: any) => [list, o.id, o.name])),
      ...options.pipelines.flatMap((p: any) => [['pipeline', p.id, p.name], ...p.stages.map((s: any) => [`  stage of ${p.id}`, s.id, s.name])]),
    ];
    print(options, () => formatTable(['list', 'id', 'name'], rows));
  });
  crm
    .command('map')
    .description('store the CRM ids bookings are filed under (replaces the whole id table), e.g. --job-type plumbing-drain-clog=7001')
    .option('--job-type <ours=id>', 'our job type id = the CRM job type id (repeat)', collect, [])
    .option('--business-unit <ours=id>', 'our job type id = the CRM business unit id (repeat)', collect, [])
    .option('--campaign <source=id>', 'marketing source = the CRM campaign id (repeat)', collect, [])
    .option('--technician <ours=id>', 'our technician id = the CRM technician id (repeat)', collect, [])
    .option('--default <field=id>', 'jobType, campaign or businessUnit = the id used when nothing else is mapped (repeat)', collect, [])
    .action(async (options: { jobType: string[]; businessUnit: string[]; campaign: string[]; technician: string[]; default: string[] }) => {
      const ids = {
        jobTypes: pairs(options.jobType, '--job-type'),
        businessUnits: pairs(options.businessUnit, '--business-unit'),
        campaigns: pairs(options.campaign, '--campaign'),
        technicians: pairs(options.technician, '--technician'),
        defaults: pairs(options.default, '--default'),
      };
      const answer = await call(settings(), 'PUT', '/v1/config/crm-mapping', { ids });
      print(answer.ids, () => JSON.stringify(answer.ids, null, 2));
    });
}
