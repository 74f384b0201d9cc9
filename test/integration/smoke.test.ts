/**
 * The post-deploy smoke test (`npm run smoke -- --url <api> --key <key>`, cli/smoke.ts) run as a
 * user runs it: a child process against this test system's API with a tenant's key. It books, reads,
 * cancels and reads the review queue; what it did is checked here in the system itself.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { createTestTenant } from './helpers';

const run = promisify(execFile);

describe('smoke test script', () => {
  it('books, reads, cancels and checks review against the local system, and exits 0', async () => {
    const tenant = await createTestTenant();
    const { stdout } = await run('npx', ['tsx', 'cli/smoke.ts', '--url', inject('apiUrl'), '--key', tenant.apiKey], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, LOG_LEVEL: 'ERROR' },
      timeout: 120_000,
    });
    for (const step of ['key', 'config', 'window', 'book', 'read', 'cancel', 'review']) expect(stdout).toMatch(new RegExp(`^ok  ${step}\\b`, 'm'));
    const bookingId = /booking (\S+) \(/.exec(stdout)?.[1];
    expect(bookingId).toBeTruthy();
    // Locally no provider is missing: the outbox and local payments are the local runtime's defaults.
    expect(stdout).toContain('0 setup warning(s)');
    const booking = await tenant.call('GET', `/v1/bookings/${bookingId}`);
    expect(booking.body.status).toBe('cancelled');
  }, 180_000);

  it('fails with exit code 1 and says why when the key is wrong', async () => {
    const failure = await run('npx', ['tsx', 'cli/smoke.ts', '--url', inject('apiUrl'), '--key', 'jr_not_a_key'], {
      cwd: new URL('../..', import.meta.url).pathname,
      timeout: 120_000,
    }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('GET /v1/me (is the key right?)');
  }, 180_000);
});
