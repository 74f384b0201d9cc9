// The values the API accepts (review kinds and statuses, report groupings, ...) as the API publishes
// them in /v1/openapi.json, generated from the same zod schemas that validate requests: the console
// keeps no copy that could go stale.

let document_;

async function openApi() {
  document_ ??= fetch('/v1/openapi.json').then((response) => {
    if (!response.ok) throw new Error(`Could not read /v1/openapi.json: HTTP ${response.status}`);
    return response.json();
  });
  try {
    return await document_;
  } catch (error) {
    document_ = undefined;
    throw error;
  }
}

function enumOf(doc, schema) {
  if (!schema) return undefined;
  if (schema.$ref) return enumOf(doc, doc.components?.schemas?.[schema.$ref.split('/').pop()]);
  if (Array.isArray(schema.enum)) return schema.enum;
  for (const option of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
    const values = enumOf(doc, option);
    if (values) return values;
  }
  return undefined;
}

/** The allowed values of a query parameter of an operation, e.g. queryEnum('GET', '/v1/review-items', 'kind'). */
export async function queryEnum(method, path, name) {
  const doc = await openApi();
  const parameter = doc.paths?.[path]?.[method.toLowerCase()]?.parameters?.find((p) => p.in === 'query' && p.name === name);
  const values = enumOf(doc, parameter?.schema);
  if (!values) throw new Error(`/v1/openapi.json lists no values for ${name} of ${method} ${path}`);
  return values;
}
