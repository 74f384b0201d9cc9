/**
 * The OpenAPI document is plain JSON Schema throughout: the answers added after generation (401 and
 * 403 from each route's declared scopes) name the Error component; a zod object dumped raw (its
 * `def`/`shape` internals) is what a client generator would choke on, and what 403 was until this test.
 */
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/api/openapi';

describe('the OpenAPI document', () => {
  it('holds no zod object anywhere: every schema is JSON Schema', () => {
    const raw: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (!node || typeof node !== 'object') return;
      if ('def' in node && ('shape' in (node as { def: object }).def || 'type' in (node as { def: object }).def)) raw.push(path);
      for (const [key, value] of Object.entries(node)) walk(value, `${path}/${key}`);
    };
    walk(openApiDocument(), '#');
    expect(raw).toEqual([]);
  });

  it('answers 401 and 403 on every authenticated operation with the Error component', () => {
    const document = openApiDocument();
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const operation of Object.values(item as Record<string, { security?: unknown[]; responses?: Record<string, any> }>)) {
        if (!operation?.security?.length) continue;
        for (const status of ['401', '403']) {
          expect(operation.responses?.[status]?.content?.['application/json']?.schema, `${path} ${status}`).toEqual({ $ref: '#/components/schemas/Error' });
        }
      }
    }
  });
});
