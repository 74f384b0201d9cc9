/**
 * How a booking request reached us; `sms` is a text message (text-to-book). Its own module, without
 * the booking schemas, for the schemas of other capabilities that name channels (issue 19: a constant
 * imported from booking/schemas.ts builds every booking schema at init).
 */
export const CHANNELS = ['chat', 'voice', 'web', 'csr', 'api', 'sms'] as const;
