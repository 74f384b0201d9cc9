/**
 * Tenant records: configuration, technicians, job types and which credentials are set. Keys: tenant
 * config and catalogue live under `T#<tenant>`. API keys are admin/store.ts's (their one writer).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryPrefix, sendConditional } from '../shared/dynamo';
import { ApiError, isConditionalCheckFailed } from '../shared/errors';
import { documentClient } from '../shared/clients';
import { config } from '../shared/config';
import type { CredentialStatus } from './credentials-schemas';
import {
  JobTypeSchema,
  TechnicianSchema,
  TenantSchema,
  tenantPartSchema,
  type JobType,
  type JobTypeInput,
  type Technician,
  type TechnicianInput,
  type Tenant,
  type TenantField,
} from './model';

export const tenantKeys = {
  tenant: (tenantId: string) => ({ pk: `T#${tenantId}`, sk: 'CONFIG' }),
  technician: (tenantId: string, technicianId: string) => ({ pk: `T#${tenantId}`, sk: `TECH#${technicianId}` }),
  technicianPrefix: 'TECH#',
  jobType: (tenantId: string, jobTypeId: string) => ({ pk: `T#${tenantId}`, sk: `JOBTYPE#${jobTypeId}` }),
  jobTypePrefix: 'JOBTYPE#',
  /** That a credential is set, when and by whom (its value lives only in the secret store). */
  credential: (tenantId: string, purpose: string) => ({ pk: `T#${tenantId}`, sk: `CREDENTIAL#${purpose}` }),
  credentialPrefix: 'CREDENTIAL#',
};

export async function putTenant(tenant: Tenant): Promise<void> {
  await documentClient().send(new PutCommand({ TableName: config.tableName, Item: tenantConfigItem(tenant) }));
}

/**
 * The tenant's config item, as putTenant writes it and tenant creation (admin/store.ts) puts it in its
 * transaction. A new technicians version with it: a whole item replaced with the content it had before
 * a technician changed must not name a version a container still holds the old technicians for.
 */
export function tenantConfigItem(tenant: Tenant, extra: { createdAt?: string } = {}): Record<string, unknown> {
  const item = TenantSchema.parse(tenant);
  return { ...tenantKeys.tenant(item.tenantId), type: 'Tenant', ...item, ...extra, [TECHNICIANS_VERSION]: randomUUID() };
}

export async function getTenant(tenantId: string): Promise<Tenant | undefined> {
  const item = await getTenantItem(tenantId);
  return item ? tenantFromItem(item) : undefined;
}

/** The tenant's config item as stored: its configuration (tenantFromItem) and its TECHNICIANS_VERSION. */
export async function getTenantItem(tenantId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: tenantKeys.tenant(tenantId) }));
  return Item;
}

/**
 * Some settings of a stored tenant, parsed by exactly TenantSchema's schemas of those fields (a
 * malformed one fails as getTenant would): for a function that reads a few settings (its time zone,
 * its country) and need not build or check the CRM, triage and messaging schemas (issue 19, cold path).
 */
export async function getTenantPart<K extends TenantField>(tenantId: string, fields: readonly K[]): Promise<Pick<Tenant, K> | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: tenantKeys.tenant(tenantId) }));
  return Item ? tenantPartFromItem(Item, fields) : undefined;
}

/** Some settings of a stored tenant configuration, as getTenantPart answers them. */
export function tenantPartFromItem<K extends TenantField>(item: Record<string, unknown>, fields: readonly K[]): Pick<Tenant, K> {
  return tenantPartSchema(fields).parse(withoutSecretNames(item)) as Pick<Tenant, K>;
}

/** A stored tenant configuration as getTenant answers it (also for readers that fetched the item with others). */
export function tenantFromItem(item: Record<string, any>): Tenant {
  return TenantSchema.parse(withoutSecretNames(item));
}

/** A stored technician as listTechnicians answers it. */
export function technicianFromItem(item: Record<string, any>): Technician {
  return TechnicianSchema.parse(item);
}

/** A stored job type as getJobType answers it. */
export function jobTypeFromItem(item: Record<string, any>): JobType {
  return JobTypeSchema.parse(item);
}

/**
 * Configurations stored before secret names were derived (functions/shared/secrets.ts) carry a
 * `secretName` that the provider schemas now refuse: it is dropped on read, never used.
 */
function withoutSecretNames(item: Record<string, any>): Record<string, any> {
  const drop = (settings: unknown) => {
    if (!settings || typeof settings !== 'object' || !('secretName' in settings)) return settings;
    const { secretName: _ignored, ...rest } = settings as Record<string, unknown>;
    return rest;
  };
  const sms = item.messaging?.sms;
  return {
    ...item,
    ...(item.crm ? { crm: drop(item.crm) } : {}),
    ...(sms ? { messaging: { ...item.messaging, sms: drop(sms) } } : {}),
  };
}

/**
 * The tenant item's attribute that every technician write changes, in the same transaction: the
 * technicians' version, part of the configuration's (tenant/config-cache.ts `configVersion`). A warm
 * container's copy of the technicians then serves a booking only while no technician (shifts, time
 * off, skills, removal) has changed since the bookings route read the configuration (issue 19: the
 * capacity check's technicians Query, once per container and change instead of once per booking).
 */
export const TECHNICIANS_VERSION = 'techniciansVersion';

/** Attempts of a technician write whose transaction met another on the tenant item (two technicians saved at once). */
const TECHNICIAN_WRITE_ATTEMPTS = 5;

type TransactItem = NonNullable<TransactWriteCommand['input']['TransactItems']>[number];

/**
 * Technicians' Puts or Deletes (at most 99) with the tenant's technicians version changed, all or
 * none. False when a condition did not hold: the tenant has no configuration, or a write's own.
 */
async function writeTechnicians(tenantId: string, writes: TransactItem[]): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const bumpVersion = {
      Update: {
        TableName: config.tableName,
        Key: tenantKeys.tenant(tenantId),
        UpdateExpression: 'SET #version = :version',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#version': TECHNICIANS_VERSION },
        ExpressionAttributeValues: { ':version': randomUUID() },
      },
    };
    try {
      await documentClient().send(new TransactWriteCommand({ TransactItems: [...writes, bumpVersion] }));
      return true;
    } catch (error) {
      const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
      // Another transaction on the tenant item at that moment (e.g. a whole team saved at once): try again shortly.
      if (reasons.some((reason) => reason.Code === 'TransactionConflict')) {
        if (attempt < TECHNICIAN_WRITE_ATTEMPTS) {
          await sleep(20 + Math.random() * 80 * attempt);
          continue;
        }
        throw new ApiError(
          'service_unavailable',
          "Other changes to this company's technicians were being saved at the same moment: nothing was changed, try again",
          undefined,
          undefined,
          { 'Retry-After': '1' },
          { cause: error },
        );
      }
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

export async function putTechnician(tenantId: string, technician: TechnicianInput): Promise<void> {
  await putTechnicians(tenantId, [technician]);
}

/** Several technicians in one transaction per 99 (a team set up at once: one change of the technicians version, no contention). */
export async function putTechnicians(tenantId: string, technicians: readonly TechnicianInput[]): Promise<void> {
  const puts = technicians.map((technician): TransactItem => {
    const item = TechnicianSchema.parse(technician);
    return { Put: { TableName: config.tableName, Item: { ...tenantKeys.technician(tenantId, item.technicianId), type: 'Technician', tenantId, ...item } } };
  });
  for (let from = 0; from < puts.length; from += 99) {
    if (!(await writeTechnicians(tenantId, puts.slice(from, from + 99)))) throw new ApiError('not_found', 'This account has no configuration yet');
  }
}

/** Removes a technician; false when there was none by that id. */
export async function deleteTechnician(tenantId: string, technicianId: string): Promise<boolean> {
  return writeTechnicians(tenantId, [
    { Delete: { TableName: config.tableName, Key: tenantKeys.technician(tenantId, technicianId), ConditionExpression: 'attribute_exists(pk)' } },
  ]);
}

export async function putJobType(tenantId: string, jobType: JobTypeInput): Promise<void> {
  const item = JobTypeSchema.parse(jobType);
  await documentClient().send(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...tenantKeys.jobType(tenantId, item.jobTypeId), type: 'JobType', tenantId, ...item },
    }),
  );
}

export async function getJobType(tenantId: string, jobTypeId: string): Promise<JobType | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: config.tableName, Key: tenantKeys.jobType(tenantId, jobTypeId) }));
  return Item ? jobTypeFromItem(Item) : undefined;
}

/** All technicians of a tenant in one Query (a tenant has tens, not thousands); `consistent`: every write before it seen. */
export async function listTechnicians(tenantId: string, options: { consistent?: boolean } = {}): Promise<Technician[]> {
  return (await queryPrefix(`T#${tenantId}`, tenantKeys.technicianPrefix, options)).map(technicianFromItem);
}

/** Company settings an owner edits (`PUT /v1/config/company`); other tenant fields are left as they are. */
export async function updateTenantSettings(tenantId: string, settings: Record<string, unknown>): Promise<void> {
  const entries = Object.entries(settings).filter(([, value]) => value !== undefined);
  // A key whose tenant has no configuration (e.g. the platform operator's own) has nothing to update.
  const updated = await sendConditional(
    new UpdateCommand({
      TableName: config.tableName,
      Key: tenantKeys.tenant(tenantId),
      UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.fromEntries(entries.map(([key], i) => [`#f${i}`, key])),
      ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
    }),
  );
  if (!updated) throw new ApiError('not_found', 'This account has no configuration yet');
}

export async function listJobTypes(tenantId: string): Promise<JobType[]> {
  return (await queryPrefix(`T#${tenantId}`, tenantKeys.jobTypePrefix)).map((item) => JobTypeSchema.parse(item));
}

/** Removes a catalogue record; false when there was none. Booked jobs keep their claims. */
export async function deleteCatalogueItem(key: { pk: string; sk: string }): Promise<boolean> {
  const { Attributes } = await documentClient().send(new DeleteCommand({ TableName: config.tableName, Key: key, ReturnValues: 'ALL_OLD' }));
  return Boolean(Attributes);
}

/** Which credential purposes are set: the record beside the secret (never its value), as the API shows it. */
export type CredentialRecord = CredentialStatus;

export async function recordCredentialSet(tenantId: string, record: CredentialRecord): Promise<void> {
  await documentClient().send(
    new PutCommand({ TableName: config.tableName, Item: { ...tenantKeys.credential(tenantId, record.purpose), type: 'Credential', tenantId, ...record } }),
  );
}

export async function listCredentials(tenantId: string): Promise<CredentialRecord[]> {
  return (await queryPrefix(`T#${tenantId}`, tenantKeys.credentialPrefix)).map((item) => ({
    purpose: item.purpose,
    updatedAt: item.updatedAt,
    ...(item.updatedBy ? { updatedBy: item.updatedBy } : {}),
    ...(item.provider ? { provider: item.provider } : {}),
  }));
}
