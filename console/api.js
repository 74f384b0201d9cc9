// Calls to this site's /v1 API with the API key kept in this tab only (sessionStorage).

const KEY_STORAGE = 'jobrelay.apiKey';

export const apiKey = () => sessionStorage.getItem(KEY_STORAGE);
export const rememberKey = (key) => sessionStorage.setItem(KEY_STORAGE, key);
export const forgetKey = () => sessionStorage.removeItem(KEY_STORAGE);

export class ApiFailure extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

/** What to do when the signed-in key stops working (set by the sign-in module). */
let keyFailed = () => {};
export function onKeyFailed(handler) {
  keyFailed = handler;
}

export async function api(method, path, body, key = apiKey()) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    if (response.status === 401 && key === apiKey()) keyFailed('Your API key no longer works: sign in again.');
    throw new ApiFailure(response.status, parsed);
  }
  return parsed;
}
