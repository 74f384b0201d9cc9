import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

/** The repository root: registry entries and ASL paths are relative to it. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export function fromRoot(relative: string): string {
  return path.join(repoRoot, relative);
}
