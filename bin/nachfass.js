#!/usr/bin/env node
/* global process, console */
// `npx nachfass <command>`: the admin CLI. The compiled CLI (dist/, `npm run build`) when it is current; otherwise
// the TypeScript sources through tsx (a development checkout), or a stale build where tsx is not installed.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildState, DIST } from './build-state.js';

const { state, newer } = buildState();
const compiled = pathToFileURL(path.join(DIST, 'worker', 'cli.js')).href;
if (state === 'current') {
  await import(compiled);
} else {
  const tsx = await import('tsx/esm/api').catch(() => undefined);
  if (tsx) {
    tsx.register();
    await import('../worker/cli.ts');
  } else if (state === 'stale') {
    console.error(`warning: dist/ is older than ${newer}: run \`npm run build\` to update it`);
    await import(compiled);
  } else {
    console.error('nachfass: no build (dist/) and no tsx to run the sources: run `npm run build` first');
    process.exit(1);
  }
}
