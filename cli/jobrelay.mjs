#!/usr/bin/env node
// The package's `bin`: registers tsx (the TypeScript loader the project already uses) and runs the
// CLI from its TypeScript source, so there is no build step. npx runs it on the project's Node 22.
import { register } from 'tsx/esm/api';

register();
await import('./jobrelay.ts');
