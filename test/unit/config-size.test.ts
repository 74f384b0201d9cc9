/**
 * Every stored configuration item stays far below DynamoDB's 400 KB item limit even when every
 * field is at the largest its schema accepts (issue 11 part 4: a 500 KB technician name or 5,000
 * `sourceSettings` entries made DynamoDB refuse the item and the API answer 500).
 *
 * The largest value is built from the schema itself (its JSON Schema: maxLength, maxItems,
 * maxProperties, x-maxBytes), so raising a bound later shows up here. Strings are filled with a
 * 3-byte UTF-8 character (the worst case per UTF-16 unit that `.max` counts). A schema that leaves a
 * string, list or record without a bound fails the test, naming where.
 */
import { marshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { openApiDocument } from '../../functions/api/openapi';
import { CreateBookingRequestSchema } from '../../functions/booking/schemas';
import { jsonBytes } from '../../functions/shared/bounds';
import { DEFAULT_TRIAGE_RULES } from '../../functions/triage/rules';
import { JobTypeSchema, TechnicianSchema, TenantSchema } from '../../functions/tenant/model';

/** Budget per item: half of DynamoDB's limit, so the keys, bookkeeping attributes and growth fit. */
const ITEM_BUDGET_BYTES = 200_000;
const WIDE_CHAR = '€'; // 3 bytes in UTF-8, one UTF-16 unit

type JsonSchema = Record<string, any>;

/**
 * Upper bound on the length of a string an anchored pattern without unbounded quantifiers accepts:
 * each atom matches at most its quantifier's bound (1 without one), and there are at most as many
 * atoms as characters. Enough for our patterns (dates, times, ids), none of which nests quantifiers.
 */
function patternMaxLength(pattern: string): number | undefined {
  if (/[*+]|\{\d+,\}/.test(pattern.replace(/\\./g, ''))) return undefined;
  const bounds = [...pattern.matchAll(/\{(?:\d+,)?(\d+)\}/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  return pattern.length + bounds;
}

class Builder {
  readonly unbounded = new Set<string>();
  constructor(private readonly root: JsonSchema) {}

  private resolve(schema: JsonSchema): JsonSchema {
    if (!schema.$ref) return schema;
    const name = String(schema.$ref).split('/').pop()!;
    return this.resolve(this.root.$defs?.[name] ?? this.root.definitions?.[name] ?? this.root.components?.schemas?.[name]);
  }

  /** The largest value `schema` accepts (by stored size). */
  build(input: JsonSchema, path: string): unknown {
    const schema = this.resolve(input);
    if (schema['x-maxBytes'] !== undefined) return 'x'.repeat(Number(schema['x-maxBytes']));
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return [...schema.enum].sort((a, b) => jsonBytes(b) - jsonBytes(a))[0];
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives) {
      return (alternatives as JsonSchema[]).map((alternative) => this.build(alternative, path)).sort((a, b) => jsonBytes(b) - jsonBytes(a))[0];
    }
    if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part: JsonSchema) => this.build(part, path)));
    switch (schema.type) {
      case 'string': {
        const max = schema.maxLength ?? (schema.pattern ? patternMaxLength(schema.pattern) : undefined);
        if (max === undefined) {
          this.unbounded.add(`${path} (string)`);
          return '';
        }
        return WIDE_CHAR.repeat(max);
      }
      case 'number':
      case 'integer':
        return -123456789012345.67; // as many digits as a stored number can cost
      case 'boolean':
        return true;
      case 'null':
        return null;
      case 'array': {
        if (schema.maxItems === undefined) {
          this.unbounded.add(`${path} (list)`);
          return [];
        }
        return Array.from({ length: schema.maxItems }, () => this.build(schema.items ?? {}, `${path}[]`));
      }
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [name, property] of Object.entries<JsonSchema>(schema.properties ?? {})) out[name] = this.build(property, `${path}.${name}`);
        const extra = schema.additionalProperties;
        if (extra && typeof extra === 'object') {
          const keyNames = this.resolve(schema.propertyNames ?? {});
          if (keyNames.enum) {
            for (const key of keyNames.enum) out[key] = this.build(extra, `${path}.${key}`);
          } else if (schema.maxProperties === undefined || (schema.propertyNames && keyNames.maxLength === undefined)) {
            // (The OpenAPI generator leaves propertyNames out; zod's own JSON Schema, used for stored items, has it.)
            this.unbounded.add(`${path} (record: ${schema.maxProperties === undefined ? 'number of entries' : 'key length'})`);
          } else {
            for (let i = 0; i < schema.maxProperties; i++) {
              const suffix = String(i);
              out[WIDE_CHAR.repeat((keyNames.maxLength ?? 64) - suffix.length) + suffix] = this.build(extra, `${path}.*`);
            }
          }
        }
        return out;
      }
      default:
        this.unbounded.add(`${path} (${schema.type ?? 'any'})`);
        return null;
    }
  }
}

/** DynamoDB's documented item size: attribute names + values; numbers ~1 byte per 2 digits + 1; lists/maps 3 + 1 per element. */
function attributeSize(value: Record<string, unknown>): number {
  if ('S' in value) return Buffer.byteLength(value.S as string, 'utf8');
  if ('N' in value) return Math.min(21, Math.ceil(String(value.N).replace(/[^0-9]/g, '').length / 2) + 1);
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('L' in value) return 3 + (value.L as Array<Record<string, unknown>>).reduce((sum, element) => sum + 1 + attributeSize(element), 0);
  if ('M' in value) return 3 + itemSize(value.M as Record<string, Record<string, unknown>>, 1);
  throw new Error(`unexpected attribute ${Object.keys(value)[0]}`);
}

function itemSize(item: Record<string, Record<string, unknown>>, perElement = 0): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + perElement + attributeSize(value), 0);
}

function storedSize(value: Record<string, NativeAttributeValue>): number {
  return itemSize(marshall(value, { removeUndefinedValues: true }) as unknown as Record<string, Record<string, unknown>>);
}

function largest(schema: z.ZodType): { value: Record<string, NativeAttributeValue>; unbounded: string[] } {
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const builder = new Builder(root);
  const value = builder.build(root, '') as Record<string, NativeAttributeValue>;
  return { value, unbounded: [...builder.unbounded] };
}

describe('stored configuration at its largest', () => {
  it.each([
    ['the tenant configuration (company settings, CRM, mapping, triage rules)', TenantSchema],
    ['a technician', TechnicianSchema],
    ['a job type', JobTypeSchema],
    ['a booking request (kept on the booking)', CreateBookingRequestSchema],
  ] as const)('%s has a bound on every string, list and record and fits the item budget', (_label, schema) => {
    const { value, unbounded } = largest(schema);
    expect(unbounded, 'fields without a bound').toEqual([]);
    const size = storedSize(value);
    const biggest = Object.entries(value)
      .map(([name, field]) => [name, storedSize({ [name]: field })] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([name, bytes]) => `${name} ${Math.round(bytes / 1000)} KB`);
    console.info(`${_label}: at most ${Math.round(size / 1000)} KB stored (largest: ${biggest.join(', ')})`);
    expect(size).toBeLessThan(ITEM_BUDGET_BYTES);
  });

  it('a rule set counts no more stored bytes than its JSON (what x-maxBytes measures)', () => {
    expect(storedSize({ triage: DEFAULT_TRIAGE_RULES })).toBeLessThanOrEqual(jsonBytes({ triage: DEFAULT_TRIAGE_RULES }));
  });
});

describe('every request the API takes', () => {
  // Bodies are what gets stored; path, query and header values are bounded by the gateway's limits on a request line and headers.
  it('bounds every string, list and record of every JSON body in /v1/openapi.json', () => {
    const doc = openApiDocument() as unknown as JsonSchema;
    const builder = new Builder(doc);
    for (const [path, item] of Object.entries<JsonSchema>(doc.paths)) {
      for (const [method, operation] of Object.entries<JsonSchema>(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        const content = operation.requestBody?.content?.['application/json'];
        if (content) builder.build(content.schema ?? {}, `${where} body`);
      }
    }
    expect([...builder.unbounded]).toEqual([]);
  });
});
