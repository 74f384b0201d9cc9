/**
 * Admission leases (shared/admission.ts): one item per place, `T#<tenant>#ADMISSION#<route>` per
 * tenant and `ADMISSION#<route>` across tenants, taken with a conditional Put and given back with a
 * conditional Delete, both keyed by the lease id (a request's two places: one transaction each way,
 * putLeases and deleteLeases).
 */
import { DeleteCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './clients';
import { config } from './config';
import { queryPartition, sendConditional } from './dynamo';
import { epochSeconds } from './time';

export const admissionKeys = {
  tenantPartition: (tenantId: string, route: string) => `T#${tenantId}#ADMISSION#${route}`,
  /** The route's places across tenants (platform-wide, like `APIKEY#`). */
  totalPartition: (route: string) => `ADMISSION#${route}`,
  place: (pk: string, index: number) => ({ pk, sk: `PLACE#${String(index).padStart(4, '0')}` }),
};

export interface Lease {
  key: { pk: string; sk: string };
  leaseId: string;
}

/** The sort keys of the partition's places whose lease is still running at `at` (epoch ms). */
export async function takenPlaces(pk: string, at: number): Promise<Set<string>> {
  const items = await queryPartition(pk, { consistent: true });
  return new Set(items.filter((item) => Number(item.leaseUntil) > at).map((item) => String(item.sk)));
}

const leasePut = (lease: Lease, at: number, leaseUntil: number) => ({
  TableName: config.tableName,
  Item: { ...lease.key, leaseId: lease.leaseId, leaseUntil, expiresAt: epochSeconds(new Date(leaseUntil)) + 60 },
  ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :at',
  ExpressionAttributeValues: { ':at': at },
});

const leaseDelete = (lease: Lease) => ({
  TableName: config.tableName,
  Key: lease.key,
  ConditionExpression: 'leaseId = :leaseId',
  ExpressionAttributeValues: { ':leaseId': lease.leaseId },
});

/** Takes the place when it is free or its lease ran out before `at`; false when another holds it. */
export function putLease(lease: Lease, at: number, leaseUntil: number): Promise<boolean> {
  return sendConditional(new PutCommand(leasePut(lease, at, leaseUntil)));
}

/**
 * Takes every place or none (one TransactWriteItems): false when any is held, or the transaction
 * met a concurrent one on a place (nothing is taken then either), or one of `checks` (condition
 * checks of the request's own, e.g. its API key still live) failed.
 */
export function putLeases(leases: Lease[], at: number, leaseUntil: number, checks: AdmissionAlongside[] = []): Promise<boolean> {
  return sendConditional(new TransactWriteCommand({ TransactItems: [...leases.map((lease) => ({ Put: leasePut(lease, at, leaseUntil) })), ...checks] }));
}

/** Gives the place back if this lease still holds it. */
export async function deleteLease(lease: Lease): Promise<void> {
  await sendConditional(new DeleteCommand(leaseDelete(lease)));
}

/**
 * Gives every place back in one TransactWriteItems; when one is no longer this lease's (it ran out
 * and another request took it), each place still held is given back on its own.
 */
export async function deleteLeases(leases: Lease[]): Promise<void> {
  return deleteLeasesWith(leases, []);
}

/** One item of a TransactWriteItems. */
export type AdmissionAlongside = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/**
 * deleteLeases in the same transaction as `alongside`, the request's own last writes (unconditional:
 * they must apply whatever became of the places). When a place is no longer this lease's, those
 * writes go on their own and each place still held is given back on its own. Throws when the writes
 * could not be made (then nothing was given back either: the caller may give back again).
 */
export async function deleteLeasesWith(leases: Lease[], alongside: AdmissionAlongside[]): Promise<void> {
  const deletes = leases.map((lease) => ({ Delete: leaseDelete(lease) }));
  if (await sendConditional(new TransactWriteCommand({ TransactItems: [...alongside, ...deletes] }))) return;
  await writeAlongside(alongside);
  await Promise.all(leases.map(deleteLease));
}

/** The writes of deleteLeasesWith without places to give back (a held or released permit). */
export async function writeAlongside(alongside: AdmissionAlongside[]): Promise<void> {
  if (alongside.length) await documentClient().send(new TransactWriteCommand({ TransactItems: alongside }));
}
