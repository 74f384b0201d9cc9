/**
 * zod with the OpenAPI extension applied once, so every schema can carry `.openapi(...)` metadata.
 * Import it as a namespace (`import * as z from '../shared/zod'`), never as `{ z }`: property reads
 * on a namespace import let the bundler keep only the parts of zod a function uses, where the `z`
 * object keeps all of it, every locale included (~450 KB per function; issue 19).
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { ZodType } from 'zod';

// The extension patches ZodType's prototype: it needs that class, not the whole namespace.
extendZodWithOpenApi({ ZodType } as unknown as Parameters<typeof extendZodWithOpenApi>[0]);

export * from 'zod';
