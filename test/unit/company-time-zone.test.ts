/**
 * A company's time zone is one the booking code can compute in (functions/shared/zoned-time.ts and
 * every `Intl` formatter read zones through `Intl`): the same rule as a new tenant's
 * (functions/shared/time-zone.ts). luxon also took `local`, `system` and `UTC+3`, which `Intl` cannot
 * place, so a company saved with one got NaN slot times.
 */
import { describe, expect, it } from 'vitest';
import { demoTenant } from '../../local/demo';
import { CompanySettingsSchema } from '../../functions/tenant/config-schemas';

const settings = (timeZone: string) => ({ ...demoTenant('unit'), timeZone });

describe('company settings time zone', () => {
  it.each(['America/Chicago', 'Europe/London', 'UTC', 'Etc/GMT+3'])('takes %s', async (zone) => {
    expect((await CompanySettingsSchema.safeParseAsync(settings(zone))).success).toBe(true);
  });

  it.each(['local', 'system', 'UTC+3', 'Mars/Olympus', ''])('refuses %j, naming timeZone', async (zone) => {
    const result = await CompanySettingsSchema.safeParseAsync(settings(zone));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain('timeZone');
  });
});
