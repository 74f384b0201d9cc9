/**
 * `npm run smoke -- --url <api> --key <key>`: the post-deploy smoke test. Through the public API only,
 * as a user of a fresh deployment would: who the key is, what the company still has to set up, a
 * window dispatch can honour, a booking in it, the booking read back, the booking cancelled (its
 * slot released), and the review queue read. Each step prints one line; the first failure stops it
 * with exit code 1. A 5xx anywhere is a failure; a setup warning (no SMS/email/payment provider in
 * AWS) is printed, not a failure.
 *
 * Use a key of a tenant set aside for smoke tests (its technicians hear of the smoke job and of its
 * cancellation, like any booking): `bookings` + `review` scopes at least; with `admin` it finds a job
 * type and postal code by itself, otherwise pass `--job-type` and `--postal-code`.
 * The same script runs against the local system in `npm test` (test/integration/smoke.test.ts).
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface SmokeOptions {
  url: string;
  key: string;
  jobTypeId?: string;
  postalCode?: string;
  /** Where each step's line goes (stdout by default). */
  log?: (line: string) => void;
}

export interface SmokeResult {
  tenantId: string;
  bookingId: string;
  status: string;
  warnings: Array<{ field: string; message: string }>;
  reviewItems: number;
}

export class SmokeFailure extends Error {
  override name = 'SmokeFailure';
}

interface Answer {
  status: number;
  body: any;
}

// The fictional 555-01xx range: the smoke customer's phone never belongs to a person.
const SMOKE_CUSTOMER = { name: 'JobRelay Smoke Test', phone: '+15125550199', email: 'smoke-test@example.com' };

export async function runSmoke(options: SmokeOptions): Promise<SmokeResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const base = options.url.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${options.key}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(35_000),
      });
    } catch (error) {
      throw new SmokeFailure(`${method} ${path}: no answer (${(error as Error).message})`);
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text for the message
    }
    if (response.status >= 500) throw new SmokeFailure(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    return { status: response.status, body: parsed };
  };
  const expectStatus = (answer: Answer, expected: number[], what: string) => {
    if (!expected.includes(answer.status)) {
      throw new SmokeFailure(`${what}: expected ${expected.join(' or ')}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
  };
  const step = (name: string, detail: string) => log(`ok  ${name.padEnd(10)} ${detail}`);

  const me = await call('GET', '/v1/me');
  expectStatus(me, [200], 'GET /v1/me (is the key right?)');
  const scopes: string[] = me.body.scopes ?? [];
  step('key', `tenant ${me.body.tenantId}, scopes ${scopes.join(', ')}`);
  const isAdmin = scopes.includes('admin') || scopes.includes('platform');

  let warnings: SmokeResult['warnings'] = [];
  let { jobTypeId, postalCode } = options;
  if (isAdmin) {
    const company = await call('GET', '/v1/config/company');
    expectStatus(company, [200], 'GET /v1/config/company');
    warnings = company.body.warnings ?? [];
    for (const warning of warnings) log(`warn setup      ${warning.field}: ${warning.message}`);
    step('config', `${company.body.name} (${company.body.timeZone}), ${warnings.length} setup warning(s)`);
    if (!jobTypeId || !postalCode) {
      const [types, techs] = await Promise.all([call('GET', '/v1/config/job-types'), call('GET', '/v1/config/technicians')]);
      expectStatus(types, [200], 'GET /v1/config/job-types');
      expectStatus(techs, [200], 'GET /v1/config/technicians');
      // A standard job type some active technician of its trade serves, and one of that technician's postal codes.
      for (const type of (types.body.items ?? []) as Array<{ jobTypeId: string; trade: string; emergency?: boolean; requiredSkills?: string[] }>) {
        if (type.emergency) continue;
        const tech = (techs.body.items ?? []).find(
          (t: { active?: boolean; trades: string[]; skills?: string[] }) =>
            t.active !== false && t.trades.includes(type.trade) && (type.requiredSkills ?? []).every((s) => (t.skills ?? []).includes(s)),
        );
        if (tech) {
          jobTypeId ??= type.jobTypeId;
          postalCode ??= tech.postalCodes[0];
          break;
        }
      }
    }
  }
  if (!jobTypeId || !postalCode) {
    throw new SmokeFailure('No job type and postal code to book: pass --job-type and --postal-code (or use a key with the admin scope)');
  }

  const availability = await call('GET', `/v1/availability?jobTypeId=${encodeURIComponent(jobTypeId)}&postalCode=${encodeURIComponent(postalCode)}`);
  expectStatus(availability, [200], 'GET /v1/availability');
  // The last open window in the horizon: the smoke job stays out of the way of real ones.
  const window = (availability.body.windows ?? []).filter((w: { afterHours?: boolean }) => !w.afterHours).at(-1);
  if (!window) throw new SmokeFailure(`No open window for ${jobTypeId} in ${postalCode} (${availability.body.reason ?? 'none offered'})`);
  step('window', `${jobTypeId} in ${postalCode}: ${window.date} ${window.start}-${window.end} (${availability.body.windows.length} open)`);

  const idempotencyKey = `smoke-${Date.now().toString(36)}`;
  const booked = await call(
    'POST',
    '/v1/bookings',
    {
      customer: SMOKE_CUSTOMER,
      address: { line1: '1 Smoke Test Way', city: 'Smoke', region: 'TX', postalCode, country: 'US' },
      jobTypeId,
      window: { date: window.date, start: window.start },
      channel: 'web',
      notes: 'JobRelay post-deploy smoke test: cancelled right away.',
      attribution: { source: 'smoke-test' },
    },
    { 'idempotency-key': idempotencyKey },
  );
  expectStatus(booked, [201], 'POST /v1/bookings');
  const bookingId: string = booked.body.bookingId;
  step('book', `${bookingId}: ${booked.body.status}`);

  const read = await call('GET', `/v1/bookings/${encodeURIComponent(bookingId)}`);
  expectStatus(read, [200], 'GET /v1/bookings/{id}');
  if (read.body.bookingId !== bookingId) throw new SmokeFailure(`GET /v1/bookings/${bookingId} answered another booking`);
  step('read', `${read.body.status}, ${(read.body.timeline ?? []).length} timeline entries`);

  const cancelled = await call(
    'POST',
    `/v1/bookings/${encodeURIComponent(bookingId)}/cancel`,
    { reason: 'JobRelay smoke test' },
    { 'idempotency-key': `${idempotencyKey}-cancel` },
  );
  expectStatus(cancelled, [200], 'POST /v1/bookings/{id}/cancel');
  const after = await call('GET', `/v1/bookings/${encodeURIComponent(bookingId)}`);
  expectStatus(after, [200], 'GET /v1/bookings/{id} after cancel');
  if (after.body.status !== 'cancelled') throw new SmokeFailure(`The booking is ${after.body.status} after its cancel, not cancelled`);
  step('cancel', 'cancelled, slot released');

  const review = await call('GET', '/v1/review-items?status=open');
  expectStatus(review, [200], 'GET /v1/review-items (needs the review scope)');
  const items: Array<{ kind: string; subject?: { id?: string }; reason: string }> = review.body.items ?? [];
  const mine = items.filter((item) => item.subject?.id === bookingId);
  for (const item of mine) log(`note review     ${item.kind}: ${item.reason}`);
  step('review', `${items.length} open item(s), ${mine.length} about the smoke booking`);

  return { tenantId: me.body.tenantId, bookingId, status: booked.body.status, warnings, reviewItems: items.length };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      'job-type': { type: 'string' },
      'postal-code': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const url = values.url ?? process.env.JOBRELAY_URL;
  const key = values.key ?? process.env.JOBRELAY_API_KEY;
  if (values.help || !url || !key) {
    console.log('Usage: npm run smoke -- --url <api url> --key <api key> [--job-type <id> --postal-code <code>]');
    process.exit(values.help ? 0 : 2);
  }
  try {
    const result = await runSmoke({ url, key, jobTypeId: values['job-type'], postalCode: values['postal-code'] });
    console.log(`smoke test passed: booking ${result.bookingId} (${result.status}) made, read and cancelled`);
  } catch (error) {
    console.error(`FAIL ${(error as Error).message}`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
