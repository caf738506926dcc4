#!/usr/bin/env node
// `npx nachfass <command>`: the admin CLI. Runs the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../worker/cli.ts');
