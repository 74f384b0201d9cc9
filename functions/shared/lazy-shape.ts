/**
 * An object schema's fields, each built on first use rather than at import (issue 19, cold init).
 * Building a zod schema is not free: every `.min()`/`.max()`/`.default()` makes a whole new schema
 * instance, and the tenant model with its CRM, triage and emergency settings took ~40 ms of every
 * function's init although many functions never parse a tenant on a given invocation. zod takes a
 * shape whose properties are getters and reads them when the schema first needs its fields (first
 * parse, JSON Schema), not when `.pick()`/`.omit()`/`.extend()` derive another schema from it; so
 * `z.object(lazyShape({ name: () => z.string().min(1) }))` validates exactly what
 * `z.object({ name: z.string().min(1) })` does. Each field is built once (the getter keeps it), so a
 * shape shared by several schemas (a schema and its parts, see `pickShape`) shares its fields.
 */
import type * as z from './zod';

type Builders = Record<string, () => z.ZodType>;
export type LazyShape<B extends Builders> = { [K in keyof B]: ReturnType<B[K]> };

export function lazyShape<B extends Builders>(builders: B): LazyShape<B> {
  const shape = {} as LazyShape<B>;
  for (const key of Object.keys(builders) as Array<keyof B & string>) {
    let built: ReturnType<B[typeof key]> | undefined;
    Object.defineProperty(shape, key, {
      enumerable: true,
      configurable: true,
      get: () => (built ??= builders[key]!() as ReturnType<B[typeof key]>),
    });
  }
  return shape;
}

/**
 * Some fields of a lazy shape, still unbuilt: a schema of part of an object (the same field schemas,
 * the one source of truth) that builds only the fields it has. zod's own `.pick()` of a schema
 * resolves the whole source shape on first parse; this does not.
 */
export function pickShape<S extends object, K extends keyof S & string>(shape: S, keys: readonly K[]): Pick<S, K> {
  const part = {} as Pick<S, K>;
  for (const key of keys) {
    const descriptor = Object.getOwnPropertyDescriptor(shape, key);
    if (!descriptor) throw new Error(`pickShape: no field ${key}`);
    Object.defineProperty(part, key, descriptor);
  }
  return part;
}

/** A value built on first use (a sub-schema several fields share), then kept. */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
