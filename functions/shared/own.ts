/**
 * Reading a plain object by a key that came from outside (caller text, tenant config): only the
 * object's own properties count, so `constructor`, `__proto__` or `toString` are just absent keys,
 * never Object.prototype's members. Constant tables keyed by caller text are `Map`s instead.
 */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}
