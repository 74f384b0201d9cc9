/**
 * The operator console's static files, served from the API itself (`GET /`, `GET /console/{file}`)
 * so the console deploys with the stack and runs locally the same way. The page holds no data and
 * no secret: it signs in with an API key kept in the browser tab (sessionStorage) and calls /v1.
 * In Lambda the files sit next to the bundle (copied by the registry's `assets`); locally, in the repo.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A Map: the file name comes from the URL (`/console/constructor` is not a file). */
const FILES = new Map<string, string>(
  Object.entries({
    'index.html': 'text/html; charset=utf-8',
    'app.js': 'text/javascript; charset=utf-8',
    'style.css': 'text/css; charset=utf-8',
  }),
);

/** Same-origin only: no inline script, no third-party host, API calls to this origin. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

function consoleRoot(): string {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  return taskRoot ? join(taskRoot, 'console') : resolve(fileURLToPath(new URL('.', import.meta.url)), '../../console');
}

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const file = event.rawPath === '/' ? 'index.html' : (event.pathParameters?.file ?? '');
  const type = FILES.get(file);
  if (!type) {
    return {
      statusCode: 404,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: { code: 'not_found', message: `No console file ${file}` } }),
    };
  }
  const body = await readFile(join(consoleRoot(), file), 'utf8');
  return { statusCode: 200, headers: { 'content-type': type, ...SECURITY_HEADERS }, body };
};
