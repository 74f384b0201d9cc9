/**
 * The CRM's own ids a booking is filed under (ServiceTitan job type, campaign, business unit and
 * technician ids; the Housecall Pro equivalents), picked by the owner from the lists the CRM gives
 * (GET /v1/config/crm/options) and stored with the mapping table (PUT /v1/config/crm-mapping `ids`).
 * Pure: which id a booking gets, and which ids it still lacks (a review item names them).
 */
import * as z from '../shared/zod';
import { lazyShape, once } from '../shared/lazy-shape';
import { boundedRecord, withinBytes } from '../shared/bounds';

// Fields are built on first use, not at import (functions/shared/lazy-shape.ts: issue 19, cold init).
const vendorId = once(() => z.string().trim().min(1).max(100));

/** The whole id table is at most this big (it lives on the tenant's configuration item). */
export const CRM_IDS_MAX_BYTES = 8_000;

export const CrmIdsSchema = withinBytes(
  z.strictObject(
    lazyShape({
      /** Our job type id -> the CRM's job type id. */
      jobTypes: () => boundedRecord(z.string().max(100), vendorId(), 200).default({}),
      /** Our job type id -> the CRM's business unit id (a business unit is usually a trade). */
      businessUnits: () => boundedRecord(z.string().max(100), vendorId(), 200).default({}),
      /** Marketing source (attribution.source) -> the CRM's campaign id. */
      campaigns: () => boundedRecord(z.string().max(64), vendorId(), 100).default({}),
      /** Our technician id -> the CRM's technician (employee) id. */
      technicians: () => boundedRecord(z.string().max(100), vendorId(), 200).default({}),
      /** Used when nothing more specific is mapped. */
      defaults: () => z.strictObject({ jobType: vendorId().optional(), campaign: vendorId().optional(), businessUnit: vendorId().optional() }).default({}),
    }),
  ),
  CRM_IDS_MAX_BYTES,
);
export type CrmIds = z.infer<typeof CrmIdsSchema>;

export const VENDOR_ID_FIELDS = ['jobType', 'campaign', 'businessUnit'] as const;
export type VendorIdField = (typeof VENDOR_ID_FIELDS)[number];

export interface VendorIdKeys {
  jobTypeId: string;
  jobTypeName?: string;
  /** attribution.source, when the booking has one. */
  source?: string;
  technicianId?: string;
}

export interface ResolvedVendorIds {
  jobType?: string;
  campaign?: string;
  businessUnit?: string;
  technician?: string;
}

/** Own keys only: a source named `__proto__` or `constructor` maps to nothing. */
function own(record: Record<string, string>, key: string | undefined): string | undefined {
  return key !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * The ids for one booking: the per-source settings the booking carries (sourceSettings, most
 * specific), then the mapping by job type / source / technician, then the defaults.
 */
export function resolveVendorIds(
  ids: CrmIds | undefined,
  keys: VendorIdKeys,
  perSource: { jobType?: string; campaign?: string; businessUnit?: string } = {},
): ResolvedVendorIds {
  const table = CrmIdsSchema.parse(ids ?? {});
  const pick = (...values: Array<string | undefined>) => values.find((v) => v !== undefined && v !== '');
  return Object.fromEntries(
    Object.entries({
      jobType: pick(perSource.jobType, own(table.jobTypes, keys.jobTypeId), table.defaults.jobType),
      campaign: pick(perSource.campaign, own(table.campaigns, keys.source), table.defaults.campaign),
      businessUnit: pick(perSource.businessUnit, own(table.businessUnits, keys.jobTypeId), table.defaults.businessUnit),
      technician: own(table.technicians, keys.technicianId),
    }).filter(([, value]) => value !== undefined),
  ) as ResolvedVendorIds;
}

/** What an adapter needs mapped for every booking, and the shape its ids have. */
export interface RequiredVendorIds {
  vendor: string;
  fields: readonly VendorIdField[];
  /** ServiceTitan ids are integers. */
  pattern: RegExp;
}

export interface MissingVendorId {
  field: VendorIdField;
  /** What to map it for (our job type id, or the marketing source). */
  key: string;
  /** The value found, when it is not an id of this CRM (e.g. a name where a number belongs). */
  found?: string;
  message: string;
}

const FIELD_LABEL: Record<VendorIdField, string> = { jobType: 'job type', campaign: 'campaign', businessUnit: 'business unit' };

/** The ids this booking lacks (or has in a shape the CRM refuses), each named so an owner can map it. */
export function missingVendorIds(required: RequiredVendorIds | undefined, resolved: ResolvedVendorIds, keys: VendorIdKeys): MissingVendorId[] {
  if (!required) return [];
  return required.fields.flatMap((field): MissingVendorId[] => {
    const value = resolved[field];
    if (value !== undefined && required.pattern.test(value)) return [];
    const key = field === 'campaign' ? (keys.source ?? '(no source)') : keys.jobTypeId;
    const target =
      field === 'campaign'
        ? keys.source
          ? `marketing source "${keys.source}"`
          : 'bookings without a marketing source (the default campaign)'
        : `job type "${keys.jobTypeName ?? keys.jobTypeId}" (${keys.jobTypeId})`;
    const message =
      value === undefined
        ? `Map a ${required.vendor} ${FIELD_LABEL[field]} for ${target}`
        : `The ${required.vendor} ${FIELD_LABEL[field]} for ${target} is "${value}", not a ${required.vendor} id: pick it from the list`;
    return [{ field, key, ...(value === undefined ? {} : { found: value }), message }];
  });
}
