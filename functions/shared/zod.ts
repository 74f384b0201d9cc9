/** zod with the OpenAPI extension applied once, so every schema can carry `.openapi(...)` metadata. */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
