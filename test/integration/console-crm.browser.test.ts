/**
 * The console's CRM page in a real browser (as console.browser.test.ts): the read sync panel shows
 * the backfill's progress from GET /v1/crm/sync (state, pages and customers read, last checkpoint,
 * throttling waits and the error waited on), starts it with "Start backfill", and offers "Sync now"
 * once it is done. The crm-read-sync worker is driven by this test with the local poller.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { queues, queueUrlEnv } from '../../functions/registry';
import { pollOnce } from '../../local/pollers';
import type { LocalSqs } from '../../local/sqs';
import { ServiceTitanContract } from '../contract-servers/servicetitan';
import { launchChromium } from './browser';
import { createTestTenant, setCredential, type TestTenant } from './helpers';

const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');
const readSyncQueue = queues.find((q) => q.name === 'crm-read-sync')!;
const sqs = { queueUrl: () => process.env[queueUrlEnv('crm-read-sync')]! } as unknown as LocalSqs;

let browser: Browser;
let page: Page;
let tenant: TestTenant;
const st = new ServiceTitanContract();
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await st.start();
  st.seedCustomers(150, { memberEvery: 10, firstPhone: 7_600_000 });
  tenant = await createTestTenant({
    crm: { adapter: 'servicetitan', stTenantId: st.stTenantId, bookingProviderId: st.bookingProviderId, apiUrl: st.url, authUrl: st.url, timeoutMs: 10_000 },
  });
  await setCredential(tenant, 'crm', { adapter: 'servicetitan', ...st.credentials });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await st.stop();
});

const field = (name: string) => page.locator(`#crm-sync-status dd[data-field="${name}"]`).textContent();

describe('console: CRM read sync progress', { timeout: 180_000 }, () => {
  it('starts the backfill, shows it waiting on a throttled CRM (429, Retry-After) with the error, then done with pages and customers; then offers Sync now', async () => {
    await page.goto(`${inject('apiUrl')}/`);
    await page.waitForSelector('#signin');
    await page.fill('#api-key', tenant.apiKey);
    await page.click('#signin button[type=submit]');
    await page.waitForSelector('main[data-page="bookings"][aria-busy="false"]');
    await page.click('#nav a[href="#/crm"]');
    await page.waitForSelector('#crm-sync-start', { timeout: 30_000 });
    expect(await page.textContent('#crm-sync-status')).toContain('No sync has run yet');
    expect(await page.textContent('#crm-sync-start')).toBe('Start backfill');

    // The first page is throttled once: the panel shows the wait and why.
    st.failNext({ status: 429, retryAfter: '1' }, 1, (request) => /\/customers$/.test(request.path));
    await page.click('#crm-sync-start');
    await page.waitForSelector('#crm-sync-status[data-state="running"]');
    expect(await page.locator('#crm-sync-start').isDisabled()).toBe(true);
    // The queue is shared: a poll may take another file's leftover page first (its worker drops a
    // stale page), so poll until this tenant's sync is waiting, then stop before its retry is due.
    await expect
      .poll(
        async () => {
          if ((await tenant.call('GET', '/v1/crm/sync')).body.state === 'waiting') return 'waiting';
          await pollOnce(sqs, readSyncQueue, 0);
          return (await tenant.call('GET', '/v1/crm/sync')).body.state;
        },
        { timeout: 60_000, interval: 200 },
      )
      .toBe('waiting');
    await page.waitForSelector('#crm-sync-status[data-state="waiting"]', { timeout: 30_000 });
    expect(await field('Throttled by the CRM')).toBe('1 time');
    expect(await field('Last error')).toContain('HTTP 429');
    await page.screenshot({ path: join(SCREENSHOTS, 'crm-sync-waiting.png'), fullPage: true });

    // The worker goes on (the page reads the progress by itself every few seconds).
    await expect
      .poll(
        async () => {
          await pollOnce(sqs, readSyncQueue, 0);
          return page.getAttribute('#crm-sync-status', 'data-state');
        },
        { timeout: 120_000, interval: 250 },
      )
      .toBe('done');
    expect(await field('Pages read')).toBe('2');
    expect(await field('Customers read')).toBe('150');
    expect(await field('Last checkpoint')).not.toBe('');
    expect(await page.textContent('#crm-sync-start')).toBe('Sync now');
    await page.screenshot({ path: join(SCREENSHOTS, 'crm-sync-done.png'), fullPage: true });

    // Sync now: an incremental run (changes since the backfill began).
    await page.click('#crm-sync-start');
    await expect.poll(async () => (await tenant.call('GET', '/v1/crm/sync')).body.mode).toBe('incremental');
    expect(pageErrors).toEqual([]);
  });
});
