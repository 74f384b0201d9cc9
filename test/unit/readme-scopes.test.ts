import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withScopeTable } from '../../functions/api/scope-table';
import { routes } from '../../functions/registry';

const readmePath = resolve(import.meta.dirname, '../../README.md');

describe('README scope table', () => {
  it('is the one generated from the routes declarations (npm run docs:scopes rewrites it)', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const generated = withScopeTable(readme);
    if (process.env.UPDATE_README === '1') writeFileSync(readmePath, generated);
    else expect(readme).toBe(generated);
  });

  it('lists every route', () => {
    const readme = readFileSync(readmePath, 'utf8');
    for (const route of routes) expect(readme).toContain(`| \`${route.method} ${route.path}\` |`);
  });
});
