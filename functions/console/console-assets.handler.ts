/**
 * The operator console's static files, served from the API itself (`GET /`, `GET /console/{file}`)
 * so the console deploys with the stack and runs locally the same way. The page holds no data and
 * no secret: it signs in with an API key kept in the browser tab (sessionStorage) and calls /v1.
 * In Lambda the files sit next to the bundle (copied by the registry's `assets`); locally, in the repo.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Content types by extension: only these kinds of file are served. */
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * The console's files (index.html, style.css, app.js and the page modules it imports), listed once
 * from the folder itself; a Map, because the file name comes from the URL (`/console/constructor` is
 * not a file) and only a listed name is read.
 */
let files: Promise<Map<string, string>> | undefined;
function consoleFiles(): Promise<Map<string, string>> {
  files ??= readdir(consoleRoot()).then(
    (names) =>
      new Map(
        names.flatMap((name) => {
          const type = /^[a-z][a-z0-9-]*\.([a-z]+)$/.exec(name)?.[1];
          return type && Object.hasOwn(TYPES, type) ? [[name, TYPES[type]!] as const] : [];
        }),
      ),
  );
  return files;
}

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
  const type = (await consoleFiles()).get(file);
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
