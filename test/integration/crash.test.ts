/**
 * Issue 12's crash finding, end to end: a second local system runs in a child process (its own
 * process group: Node, DynamoDB Local's Java, the Lambda workers) with its data under a temp folder.
 * A burst of bookings is fired; mid-burst the whole group gets SIGKILL; the system is started again
 * on the same data (its clock 6 minutes on, as `npm start` some minutes later, so every dead run's
 * lease and first look are past) and runs its recovery sweep at start. Then every request is retried
 * with its own Idempotency-Key. Asserted: every booking is final or in review, no request made two
 * bookings, the CRM (the signed-webhook contract server) got one job per booking, no slot is leaked,
 * and a retried key answers with the booking it reserved.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookContract } from '../contract-servers/webhook';
import { type Child, killGroup, scanTenant, sleep, startChild } from './crash-harness';
import { bookingRequest, claimRows, isWindowClaim } from './helpers';

const BURST = 30;
const TENANT = 'crash-test';
const FINAL = new Set(['confirmed', 'rejected', 'dismissed', 'cancelled']);

async function post(child: Child, apiKey: string, key: string, body: unknown): Promise<{ status: number; body: any; retryAfter?: number }> {
  const response = await fetch(`${child.apiUrl}/v1/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, retryAfter: Number(response.headers.get('retry-after') ?? 0) || undefined };
}

/** Retries as a well-behaved client does: 409 in progress, 429 and 503 wait for Retry-After. */
async function postUntilAnswered(child: Child, apiKey: string, key: string, body: unknown) {
  for (let attempt = 0; attempt < 60; attempt++) {
    const answer = await post(child, apiKey, key, body);
    const busy =
      (answer.status === 409 && answer.body?.error?.code === 'request_in_progress') || answer.status === 429 || answer.status === 503 || answer.status === 202;
    if (!busy) return answer;
    await sleep(Math.min(5, answer.retryAfter ?? 1) * 1000);
  }
  throw new Error(`${key}: no final answer`);
}

describe('crash mid-burst, then restart', () => {
  const webhook = new WebhookContract();
  const dataDir = mkdtempSync(join(tmpdir(), 'jobrelay-crash-'));
  let child: Child | undefined;

  beforeAll(async () => {
    await webhook.start();
    writeFileSync(join(dataDir, 'secrets.json'), '{}');
  });
  afterAll(async () => {
    if (child) await killGroup(child.process);
    await webhook.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('every booking ends final or in review; no request makes two bookings; one CRM job each; no slot leaked; a retried key resumes', {
    timeout: 600_000,
  }, async () => {
    const seedFile = join(dataDir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify({ tenantId: TENANT, overrides: { crm: { adapter: 'webhook', url: `${webhook.url}/crm`, timeoutMs: 3_000 } } }));
    child = await startChild(dataDir, {}, seedFile);
    const apiKey = child.apiKey!;
    const credential = await fetch(`${child.apiUrl}/v1/config/credentials/crm`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ adapter: 'webhook', signingKey: webhook.secret }),
    });
    expect(credential.status).toBe(200);

    const requests = Array.from({ length: BURST }, (_, i) => ({
      key: `burst-${i}`,
      body: bookingRequest({
        customer: { name: `Burst Caller ${i}`, phone: `512555${String(6000 + i)}` },
        address: { line1: `${100 + i} Elm St`, city: 'Austin', region: 'TX', postalCode: '78701' },
      }),
    }));
    // The burst; the whole system is killed once a few have answered, the rest still in flight.
    const firstAnswers = new Map<string, { status: number; body: any }>();
    const inFlight = requests.map(({ key, body }) =>
      post(child!, apiKey, key, body).then(
        (answer) => void firstAnswers.set(key, answer),
        () => undefined,
      ),
    );
    for (let waited = 0; firstAnswers.size < 5 && waited < 120_000; waited += 100) await sleep(100);
    await killGroup(child.process);
    await Promise.allSettled(inFlight);
    const answeredBeforeKill = [...firstAnswers.entries()].filter(([, a]) => a.status === 201);
    expect(firstAnswers.size).toBeLessThan(BURST);

    // `npm start` again on the same data, some minutes later: the recovery sweep runs at start.
    child = await startChild(dataDir, { JOBRELAY_CLOCK_OFFSET_MS: String(6 * 60_000) });

    // Every caller retries with its own key.
    const retries = new Map<string, { status: number; body: any }>();
    for (const { key, body } of requests) retries.set(key, await postUntilAnswered(child, apiKey, key, body));
    const bookingIdOf = (answer: { body: any }) => answer.body?.bookingId ?? answer.body?.booking?.bookingId;
    // A key that had its answer before the crash gets the same booking again.
    for (const [key, first] of answeredBeforeKill) expect(bookingIdOf(retries.get(key)!), key).toBe(first.body.bookingId);
    for (const [key, answer] of retries) expect([201, 409], `${key}: ${JSON.stringify(answer.body)}`).toContain(answer.status);

    // What the store holds, once the system has settled everything (the trail, the outbox).
    let items: Array<Record<string, any>> = [];
    let open: Array<Record<string, any>> = [];
    for (let waited = 0; waited < 120_000; waited += 1_000) {
      items = await scanTenant(child.dynamoEndpoint, TENANT);
      const bookings = items.filter((i) => i.sk === 'BOOKING');
      open = bookings.filter(
        (b) => !FINAL.has(b.status) && !items.some((i) => i.type === 'OpenReviewItem' && String(i.sk).includes(`#booking#${b.bookingId}#`)),
      );
      if (!open.length) break;
      await sleep(1_000);
    }
    const bookings = items.filter((i) => i.sk === 'BOOKING');
    expect(open.map((b) => `${b.bookingId}:${b.status}`)).toEqual([]);

    // No request made two bookings: one booking per key, and it is the one the key's retry names.
    const byKey = new Map<string, string[]>();
    for (const b of bookings) byKey.set(b.reservationKey, [...(byKey.get(b.reservationKey) ?? []), b.bookingId]);
    for (const [key, ids] of byKey) expect(ids, key).toHaveLength(1);
    for (const [key, answer] of retries) expect(byKey.get(key), key).toEqual([bookingIdOf(answer)]);

    // One CRM job per booking (per customer), none for a booking that holds nothing.
    const jobsByPhone = new Map<string, number>();
    for (const record of webhook.records.values()) {
      if ((record as any).state !== 'booked') continue;
      const phone = String((record as any).fields?.customer_phone);
      jobsByPhone.set(phone, (jobsByPhone.get(phone) ?? 0) + 1);
    }
    expect([...jobsByPhone.values()].filter((n) => n > 1)).toEqual([]);
    const confirmed = bookings.filter((b) => b.status === 'confirmed');
    for (const b of confirmed) expect(b.crm?.externalIds, b.bookingId).toBeDefined();

    // No leaked slot: every claimed window belongs to a booking that holds it, and every confirmed booking's is BOOKED.
    const claims = claimRows(items).filter((i) => i.type === 'CapacityClaim' && isWindowClaim(i));
    const holding = new Set(bookings.filter((b) => ['confirmed', 'pending_approval', 'pending_confirmation'].includes(b.status)).map((b) => b.bookingId));
    const nowSeconds = Math.floor(Date.now() / 1000) + 6 * 60;
    const leaked = claims.filter((c) => !holding.has(c.bookingId) && (c.status === 'BOOKED' || (c.expiresAt ?? 0) > nowSeconds));
    expect(leaked.map((c) => `${c.sk}:${c.status}:${c.bookingId}`)).toEqual([]);
    for (const b of confirmed) {
      expect(claims.filter((c) => c.bookingId === b.bookingId && c.status === 'BOOKED').length, b.bookingId).toBeGreaterThan(0);
    }
    console.log(
      `crash test: ${firstAnswers.size} answered before the kill (${answeredBeforeKill.length} x 201); ${bookings.length} bookings after restart: ${Object.entries(
        bookings.reduce<Record<string, number>>((n, b) => ({ ...n, [b.status]: (n[b.status] ?? 0) + 1 }), {}),
      )
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')}; ${bookings.filter((b) => b.recoveryRuns).length} re-driven by the sweep`,
    );
  });
});
