/**
 * Admission control (functions/shared/admission.ts) against DynamoDB Local: the places are leases
 * every instance shares, so concurrent requests of many instances see one count. A request whose
 * random places are free takes both in one transaction and gives both back in one.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { AdmissionGate, AdmissionRefused, type AdmissionPermit } from '../../functions/shared/admission';
import { admissionKeys } from '../../functions/shared/admission-store';
import { documentClient } from '../../functions/shared/clients';
import { counted } from './dynamo-calls';
import { partitionItems } from './helpers';

const route = () => `Test${ulid().slice(-8)}`;
const limits = { perTenant: 3, total: 5, retryAfterSeconds: 2 };

async function admitAll(gate: AdmissionGate, tenants: string[]): Promise<Array<AdmissionPermit | AdmissionRefused>> {
  return Promise.all(tenants.map((tenantId) => gate.admit(tenantId).catch((error: unknown) => error as AdmissionRefused)));
}

const permits = (outcomes: Array<AdmissionPermit | AdmissionRefused>) => outcomes.filter((o): o is AdmissionPermit => !(o instanceof AdmissionRefused));
const refusals = (outcomes: Array<AdmissionPermit | AdmissionRefused>) => outcomes.filter((o): o is AdmissionRefused => o instanceof AdmissionRefused);

describe('admission gate', () => {
  it('of 20 concurrent requests of one tenant admits exactly its 3 places; the rest are 429 with Retry-After', async () => {
    const gate = new AdmissionGate(route(), limits);
    const outcomes = await admitAll(
      gate,
      Array.from({ length: 20 }, () => 'tenant-a'),
    );
    expect(permits(outcomes)).toHaveLength(3);
    expect(refusals(outcomes)).toHaveLength(17);
    for (const refusal of refusals(outcomes)) {
      expect(refusal).toMatchObject({ scope: 'tenant', code: 'rate_limited', statusCode: 429, headers: { 'retry-after': '2' } });
    }
  });

  it('beyond the total a request is 503, and the tenant place it took is given back', async () => {
    const name = route();
    const gate = new AdmissionGate(name, limits);
    const first = await admitAll(gate, ['a', 'a', 'a', 'b', 'b']);
    expect(permits(first)).toHaveLength(5);
    const [refused] = await admitAll(gate, ['c']);
    expect(refused).toMatchObject({ scope: 'total', code: 'service_unavailable', statusCode: 503, headers: { 'retry-after': '2' } });
    const ofC = await partitionItems(admissionKeys.tenantPartition('c', name));
    expect(ofC).toEqual([]);
  });

  it('a released place, and an expired lease, admit the next request', async () => {
    const name = route();
    const gate = new AdmissionGate(name, { ...limits, perTenant: 1 });
    const permit = await gate.admit('a');
    await expect(gate.admit('a')).rejects.toBeInstanceOf(AdmissionRefused);
    await permit.release();
    await permit.release(); // twice is harmless
    const next = await gate.admit('a');

    // A run that died never releases: its lease runs out by itself.
    const [lease] = await partitionItems(admissionKeys.tenantPartition('a', name));
    await documentClient().send(
      new UpdateCommand({
        TableName: process.env.TABLE_NAME,
        Key: { pk: lease!.pk, sk: lease!.sk },
        UpdateExpression: 'SET leaseUntil = :past',
        ExpressionAttributeValues: { ':past': Date.now() - 1 },
      }),
    );
    await expect(gate.admit('a')).resolves.toBeDefined();
    await next.release(); // the expired lease is someone else's place now: nothing is deleted
    expect(await partitionItems(admissionKeys.tenantPartition('a', name))).toHaveLength(1);
  });

  it('free places are taken in one transaction and given back in one (issue 19: two calls, not four)', async () => {
    const name = route();
    const gate = new AdmissionGate(name, limits);
    const taken = await counted(() => gate.admit('a'));
    expect(taken.calls.map((call) => call.command)).toEqual(['TransactWriteItemsCommand']);
    expect(await partitionItems(admissionKeys.tenantPartition('a', name))).toHaveLength(1);
    expect(await partitionItems(admissionKeys.totalPartition(name))).toHaveLength(1);
    const released = await counted(() => taken.result.release());
    expect(released.calls.map((call) => call.command)).toEqual(['TransactWriteItemsCommand']);
    expect(await partitionItems(admissionKeys.tenantPartition('a', name))).toEqual([]);
    expect(await partitionItems(admissionKeys.totalPartition(name))).toEqual([]);
  });

  it('a held permit keeps its place until the work it holds for settles', async () => {
    const gate = new AdmissionGate(route(), { ...limits, perTenant: 1 });
    const permit = await gate.admit('a');
    let finish!: () => void;
    const work = new Promise<void>((resolve) => (finish = resolve));
    permit.holdUntil(work);
    await permit.release(); // the answer went out; the work goes on
    await expect(gate.admit('a')).rejects.toMatchObject({ statusCode: 429 });
    finish();
    await expect
      .poll(() =>
        gate.admit('a').then(
          () => true,
          () => false,
        ),
      )
      .toBe(true);
  });

  it("the request's last write goes with the places given back (one transaction); a place lost meanwhile still gets the write made", async () => {
    const name = route();
    const gate = new AdmissionGate(name, { ...limits, perTenant: 1, total: 1 });
    const answer = (sk: string) => ({
      Update: {
        TableName: process.env.TABLE_NAME!,
        Key: { pk: `T#a#ANSWER#${name}`, sk },
        UpdateExpression: 'SET answered = :yes',
        ExpressionAttributeValues: { ':yes': true },
      },
    });
    const permit = await gate.admit('a');
    const released = await counted(() => permit.releaseWith([answer('one')]));
    expect(released.calls.map((call) => call.command)).toEqual(['TransactWriteItemsCommand']);
    expect(await partitionItems(admissionKeys.tenantPartition('a', name))).toEqual([]);
    expect(await partitionItems(`T#a#ANSWER#${name}`)).toEqual([expect.objectContaining({ sk: 'one', answered: true })]);
    await permit.release(); // given back already: nothing more

    // The lease ran out and another request holds the place now: the write is made, the other's place kept.
    const late = await gate.admit('a');
    for (const pk of [admissionKeys.tenantPartition('a', name), admissionKeys.totalPartition(name)]) {
      for (const item of await partitionItems(pk)) {
        await documentClient().send(
          new UpdateCommand({
            TableName: process.env.TABLE_NAME!,
            Key: { pk, sk: item.sk },
            UpdateExpression: 'SET leaseUntil = :past',
            ExpressionAttributeValues: { ':past': 1 },
          }),
        );
      }
    }
    const other = await gate.admit('a');
    await late.releaseWith([answer('two')]);
    expect(await partitionItems(`T#a#ANSWER#${name}`)).toHaveLength(2);
    expect(await partitionItems(admissionKeys.tenantPartition('a', name))).toHaveLength(1);
    await other.release();
    expect(await partitionItems(admissionKeys.tenantPartition('a', name))).toEqual([]);
  });
});
