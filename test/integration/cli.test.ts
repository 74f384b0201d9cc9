/**
 * `npx jobrelay ...` against the local system: the commands call the public API (and, for the
 * customer import, the recognise store), exactly as an operator's terminal would.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { issueApiKey } from '../../functions/admin/store';
import { findCustomerIdByPhone } from '../../functions/recognise/store';
import { openReviewItem } from '../../functions/review/store';
import { runCli } from '../../cli/program';
import { createTestTenant, type TestTenant } from './helpers';

let tenant: TestTenant;
let dir: string;

async function jobrelay(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: { ...process.env, JOBRELAY_URL: inject('apiUrl'), JOBRELAY_API_KEY: tenant.apiKey, ...env },
    cwd: dir,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

beforeAll(async () => {
  tenant = await createTestTenant();
  dir = mkdtempSync(join(tmpdir(), 'jobrelay-cli-'));
});

describe('jobrelay CLI', () => {
  it('runs as the package bin (npx jobrelay) on the project Node', async () => {
    const { stdout } = await promisify(execFile)('npm', ['exec', '--offline', '--', 'jobrelay', 'whoami'], {
      env: { ...process.env, JOBRELAY_URL: inject('apiUrl'), JOBRELAY_API_KEY: tenant.apiKey },
      timeout: 60_000,
    });
    expect(stdout).toContain(`(${tenant.tenantId}), key `);
  });

  it('explains a missing key and an API refusal, with a non-zero exit', async () => {
    const missing = await runCli(['whoami'], { out: () => undefined, err: () => undefined, env: {}, cwd: dir });
    expect(missing).toBe(1);
    const refused = await jobrelay(['review', 'resolve', '01ARZ3NDEKTSV4RRFFQ69G5FAV', '--note', 'x']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HTTP 404 not_found');
  });

  it('creates a tenant with the platform key, then works its keys', async () => {
    const platform = (await issueApiKey('platform', { name: 'cli test', scopes: ['platform'] })).apiKey;
    const tenantId = `cli-${ulid().toLowerCase().slice(-8)}`;
    const created = await jobrelay(['tenants', 'create', tenantId, '--name', 'CLI Plumbing', '--time-zone', 'America/Chicago'], {
      JOBRELAY_PLATFORM_KEY: platform,
    });
    expect(created.code).toBe(0);
    const adminKey = /^(jr_\S+)$/m.exec(created.stdout)![1]!;

    const issued = await jobrelay(['--json', 'keys', 'create', '--name', 'Voice bot', '--scopes', 'bookings'], { JOBRELAY_API_KEY: adminKey });
    expect(issued.code).toBe(0);
    const { key } = JSON.parse(issued.stdout);
    const listed = await jobrelay(['keys', 'list'], { JOBRELAY_API_KEY: adminKey });
    expect(listed.stdout).toMatch(/Voice bot .* bookings .* active/);
    expect((await jobrelay(['keys', 'rotate', key.keyId], { JOBRELAY_API_KEY: adminKey })).stdout).toContain('New secret for');
    expect((await jobrelay(['keys', 'revoke', key.keyId], { JOBRELAY_API_KEY: adminKey })).stdout).toBe(`Revoked ${key.keyId}.`);
    expect((await jobrelay(['keys', 'list'], { JOBRELAY_API_KEY: adminKey })).stdout).toMatch(/Voice bot .* revoked/);
  });

  it('lists, resolves and redrives review items', async () => {
    const item = await openReviewItem(tenant.tenantId, { kind: 'out_of_scope', reason: 'Asked for pool service', subject: { type: 'booking', id: 'bk-pool' } });
    const listed = await jobrelay(['review', 'list', '--kind', 'out_of_scope']);
    expect(listed.stdout).toContain(item.reviewItemId);
    expect(listed.stdout).toContain('Asked for pool service');
    const noPlan = await jobrelay(['review', 'redrive', item.reviewItemId]);
    expect(noPlan.code).toBe(1);
    expect(noPlan.stderr).toContain('HTTP 409');
    const resolved = await jobrelay(['review', 'resolve', item.reviewItemId, '--note', 'Referred to a pool company', '--by', 'Dana']);
    expect(resolved.stdout).toMatch(/^Resolved .* by Dana via .*\(key /);
    expect((await jobrelay(['review', 'list', '--kind', 'out_of_scope'])).stdout).not.toContain(item.reviewItemId);
  });

  it('seeds demo bookings through the API and reports them by source, also as CSV', async () => {
    const seeded = await jobrelay(['seed', '--bookings', '3']);
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/^Seeded 3 bookings: /);
    const report = await jobrelay(['report', '--group-by', 'source']);
    expect(report.stdout).toMatch(/google_ads\s+1\s/);
    expect(report.stdout).toMatch(/facebook\s+1\s/);
    expect(report.stdout).toMatch(/\(total\)\s+3\s/);
    const csv = parse((await jobrelay(['report', '--csv', '--group-by', 'channel'])).stdout, { columns: true }) as Array<Record<string, string>>;
    expect(csv.find((r) => r.group === '(total)')?.bookings).toBe('3');
    const queues = await jobrelay(['queues']);
    expect(queues.stdout).toMatch(/^queue\s+waiting\s+in flight\s+DLQ/);
  });

  it('imports technicians: bad rows reported with row and field, good rows written whole', async () => {
    const csv = [
      'id,name,trades,skills,postal_codes,mon,tue,wed,thu,fri,sat,sun,phone,daily_job_limit,active',
      'tech-50,Nora Quinn,plumbing,drains;leak-detection,78701;78702,08:00-17:00,08:00-17:00,08:00-17:00,08:00-17:00,08:00-17:00,,,+15125559050,4,yes',
      'tech-51,Omar Reyes,hvac,ac-repair,78704,,09:00-18:00,09:00-18:00,09:00-18:00,09:00-18:00,09:00-13:00,,,,',
      'tech-52,No Area,plumbing,drains,,08:00-17:00,,,,,,,,,',
      'tech-53,Bad Shift,hvac,furnace,78745,8am-5pm,,,,,,,,,',
      'tech-50,Nora Again,plumbing,drains,78701,08:00-17:00,,,,,,,,,',
      'tech-54,Late Start,hvac,furnace,78745,17:00-08:00,,,,,,,,,',
    ].join('\n');
    const file = join(dir, 'technicians.csv');
    writeFileSync(file, csv);
    const reportFile = join(dir, 'technicians-rejected.csv');
    const result = await jobrelay(['import', 'technicians', file, '--report', reportFile]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Technicians: 2 imported, 0 already there, 4 rejected (of 6 rows)');
    const rejected = parse(readFileSync(reportFile, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rejected.map((r) => [r.row, r.field])).toEqual([
      ['4', 'postal_codes'],
      ['5', 'mon'],
      ['6', 'id'],
      ['7', 'mon'],
    ]);
    expect(rejected[2]!.problem).toBe('duplicate of row 2');

    const technicians = await tenant.call('GET', '/v1/config/technicians');
    const imported = technicians.body.technicians ?? technicians.body.items ?? technicians.body;
    const byId = Object.fromEntries((imported as any[]).map((t) => [t.technicianId, t]));
    expect(byId['tech-50']).toMatchObject({ name: 'Nora Quinn', skills: ['drains', 'leak-detection'], postalCodes: ['78701', '78702'], dailyJobLimit: 4 });
    expect(byId['tech-51'].shifts).toMatchObject({ tue: { start: '09:00', end: '18:00' }, sat: { start: '09:00', end: '13:00' } });
    for (const id of ['tech-52', 'tech-53', 'tech-54']) expect(byId[id]).toBeUndefined();
  });

  it('imports customers once each: a bad phone is reported, a known phone is never duplicated', async () => {
    const csv = [
      'name,phone,email,line1,line2,city,region,postal_code,country',
      'Ada Park,(512) 555-7001,ada@example.com,12 Oak St,,Austin,TX,78701,US',
      'Ben Ortiz,512-555-7002,,400 Elm Ave,Unit 2,Austin,TX,78704,',
      'Cy Noone,555-0000,,1 Nowhere,,Austin,TX,78701,US',
      'Di Lane,+1 512 555 7003,not-an-email,9 Pine Rd,,Austin,TX,78745,US',
    ].join('\n');
    const file = join(dir, 'customers.csv');
    writeFileSync(file, csv);
    const first = await jobrelay(['import', 'customers', file]);
    expect(first.stdout).toContain('Customers: 2 imported, 0 already there, 2 rejected (of 4 rows)');
    expect(first.stdout).toMatch(/4\s+phone\s+not a valid phone number: "555-0000"/);
    expect(first.stdout).toMatch(/5\s+email\s+not a valid email address/);
    expect(await findCustomerIdByPhone(tenant.tenantId, '+15125557001')).toBeTruthy();
    expect(await findCustomerIdByPhone(tenant.tenantId, '+15125557003')).toBeUndefined();

    const again = await jobrelay(['import', 'customers', file]);
    expect(again.stdout).toContain('Customers: 0 imported, 2 already there, 2 rejected');
    expect(again.stdout).toContain('row 2: skipped, a customer with this phone is already on file');
  });
});
