/**
 * Bounds that keep every stored item far below DynamoDB's 400 KB item limit. zod has `.max` for
 * strings and arrays; records and whole nested values get theirs here. Each bound is also written
 * into the schema's JSON Schema (`maxProperties`, `x-maxBytes`), so the OpenAPI document shows it
 * and test/unit/config-size.test.ts can build the largest value the schema accepts.
 */
import * as z from './zod';

/** UTF-8 bytes of a value's JSON: what it costs to store, near enough (a DynamoDB item is no larger). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/** A record (map) with at most `maxKeys` entries: zod records have no `.max`. */
export function boundedRecord<K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V, maxKeys: number) {
  return z
    .record(key, value)
    .refine((record) => Object.keys(record).length <= maxKeys, { message: `at most ${maxKeys} entries` })
    .meta({ maxProperties: maxKeys });
}

/** A nested value (e.g. a rule set of many lists) whose whole JSON is at most `maxBytes`. */
export function withinBytes<T extends z.ZodType>(schema: T, maxBytes: number): T {
  return schema
    .refine((value) => jsonBytes(value) <= maxBytes, { message: `at most ${Math.round(maxBytes / 1000)} KB in all` })
    .meta({ 'x-maxBytes': maxBytes }) as T;
}
