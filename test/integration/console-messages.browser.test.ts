/**
 * The console's Messages page in a real browser (Debian's headless Chromium, playwright-core, as
 * console.browser.test.ts): every kind rendered for a sample booking in English and Spanish, and a
 * template tried before it is saved. Its screenshot goes to test-results/screenshots/messages.png;
 * `UPDATE_SCREENSHOTS=1` writes the README's copy, docs/screenshots/messages.png, instead.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NOTIFICATION_KINDS } from '../../functions/notify/catalogue';
import { launchChromium } from './browser';
import { createTestTenant, type TestTenant } from './helpers';

const SCREENSHOTS = join(process.cwd(), ...(process.env.UPDATE_SCREENSHOTS === '1' ? ['docs', 'screenshots'] : ['test-results', 'screenshots']));

let browser: Browser;
let page: Page;
let tenant: TestTenant;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  tenant = await createTestTenant({ reviewUrl: 'https://g.page/r/lonestar/review' } as never);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
});

describe('console: Messages', () => {
  it('shows every kind rendered in English and Spanish, and previews a template before it is saved', async () => {
    await page.goto(`${inject('apiUrl')}/`);
    await page.waitForSelector('#signin');
    await page.fill('#api-key', tenant.apiKey);
    await page.click('#signin button[type=submit]');
    await page.waitForSelector('main[data-page="bookings"][aria-busy="false"]');
    await page.click('#nav a[href="#/messages"]');
    await page.waitForSelector('main[data-page="messages"][aria-busy="false"]');

    expect(await page.locator('section.kind').count()).toBe(NOTIFICATION_KINDS.length);
    const confirmation = page.locator('section[data-kind="confirmation"]');
    expect(await confirmation.locator('[data-language="en"] .text').textContent()).toContain('confirmed for Mon, Nov 30, 8-10 AM at 1200 Oak Hollow Dr');
    expect(await confirmation.locator('[data-language="es"] .text').textContent()).toContain('confirmada para el lun, 30 de nov, 8-10 a.m.');
    expect(await page.locator('section[data-kind="review_request"] [data-language="en"] .text').textContent()).toContain('https://g.page/r/lonestar/review');
    await page.screenshot({ path: join(SCREENSHOTS, 'messages.png'), fullPage: false });

    const review = page.locator('section[data-kind="review_request"]');
    await review.locator('details summary', { hasText: 'Try your own wording' }).click();
    await review.locator('textarea').fill('Thanks {{firstName}}! {{stars}}');
    await review.locator('button', { hasText: 'Preview' }).click();
    await expect.poll(() => page.textContent('#flash')).toContain('{{stars}}');
    await review.locator('textarea').fill('Thanks {{firstName}}! Rate {{technicianFirstName}}: {{reviewUrl}}');
    await review.locator('button', { hasText: 'Preview' }).click();
    await expect
      .poll(() => review.locator('.preview [data-language="en"] .text').textContent())
      .toBe('Thanks Jordan! Rate Maria: https://g.page/r/lonestar/review');
    expect(pageErrors).toEqual([]);
  });
});
