/**
 * The README's route x scope table, generated from the routes' declarations in functions/registry.ts
 * (test/unit/readme-scopes.test.ts keeps README.md equal to it; `npm run docs:scopes` rewrites it).
 */
import { routes } from '../registry';
import { SCOPE_PURPOSE, SCOPES } from '../shared/scopes';

export const SCOPE_TABLE_START = '<!-- scope-table:start (generated from functions/registry.ts: npm run docs:scopes) -->';
export const SCOPE_TABLE_END = '<!-- scope-table:end -->';

export function scopeTableMarkdown(): string {
  const purposes = ['| Scope | For |', '| --- | --- |', ...SCOPES.map((scope) => `| \`${scope}\` | ${SCOPE_PURPOSE[scope]} |`)];
  const header = ['| Route | public | ' + SCOPES.join(' | ') + ' |', '| --- | --- | ' + SCOPES.map(() => '---').join(' | ') + ' |'];
  const rows = routes.map((route) => {
    const cells =
      route.scopes === 'public'
        ? ['yes', ...SCOPES.map(() => '')]
        : ['', ...SCOPES.map((scope) => (scope === 'platform' || route.scopes.includes(scope) ? '✓' : ''))];
    return `| \`${route.method} ${route.path}\` | ${cells.join(' | ')} |`;
  });
  return [
    SCOPE_TABLE_START,
    ...purposes,
    '',
    'A key may call a route when it holds any one of the ticked scopes (a `platform` key passes every check). Public routes take no key: the webhooks verify their own signatures.',
    '',
    ...header,
    ...rows,
    SCOPE_TABLE_END,
  ].join('\n');
}

/** README text with its scope table replaced by the generated one. */
export function withScopeTable(readme: string): string {
  const start = readme.indexOf(SCOPE_TABLE_START);
  const end = readme.indexOf(SCOPE_TABLE_END);
  if (start < 0 || end < start) throw new Error('README.md has no scope-table markers');
  return readme.slice(0, start) + scopeTableMarkdown() + readme.slice(end + SCOPE_TABLE_END.length);
}
