/** zod with the OpenAPI extension applied once, so every schema can carry `.openapi(...)` metadata. */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z as zod } from 'zod';

extendZodWithOpenApi(zod);

// An alias (a binding of this module), not a bare re-export: a bundler then links importers to this
// module, so the extension above always runs before any schema calls `.openapi(...)` (esbuild's code
// splitting otherwise binds importers straight to zod's chunk and may evaluate them first).
export import z = zod;
