/**
 * The platform operator's tenant id: platform keys belong to it (it has no configuration). Its own
 * module, without the admin schemas, for the code that only checks it (issue 19: a constant imported
 * from a schema module builds every schema of that module at init).
 */
export const PLATFORM_TENANT_ID = 'platform';
