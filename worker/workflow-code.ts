/**
 * Where the Worker gets its workflow code. Compiled (`npm run build`, dist/): the bundle the build made beside the
 * code, dist/workflow-bundle.js, loaded as it is (the SDK's recommendation for production: no webpack at start).
 * From the sources (tsx, the tests): there is no such file, and the Worker bundles workflows/index.ts at start.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The prebuilt bundle's name in the build's directory (scripts/build.ts writes it). */
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

const self = fileURLToPath(import.meta.url);
/** The directory the code runs from: the repository (sources) or the build directory (dist/). */
const codeRoot = path.join(path.dirname(self), '..');

/** The workflows' entry point beside this file: index.ts in the sources, index.js in the build. */
export const WORKFLOWS_PATH = path.join(codeRoot, 'workflows', `index${path.extname(self)}`);

/**
 * Workflow modules the reusable V8 context evaluates once and shares (the SDK's `preloadModules`) instead of once
 * per workflow run: the workflows' entry, so every workflow module and what they import (luxon above all, the Web
 * UI's time formatters in case-story.ts, @temporalio/workflow's index). Evaluated per run, they held about 53 KB of
 * heap for as long as the run was cached (measured by evaluating the bundle's workflows module 500 times); with 800
 * parked cases (cache 500) the idle worker held 427 MB RSS before, 402 MB after. Sharing is sound because workflow
 * modules keep no state at module scope: eslint forbids module-level `let`/`var` and Maps/Sets in workflows/
 * (eslint.config.js); the SDK deep-freezes what they export; every @temporalio/workflow function finds the
 * current workflow through the activator the SDK swaps in per activation; workflow code never changes luxon's
 * Settings; and luxon reads the clock through the global `Date`, which the SDK points at the current workflow's. (Naming 'luxon' itself would not work: it
 * declares itself free of side effects, so webpack drops a bare preload `require`.)
 */
const PRELOADED = ['index'];

/** The preload list for the workflows in `workflowsDir` (sources: .ts, build: .js). */
export function workflowPreload(workflowsDir: string, ext: string): string[] {
  return PRELOADED.map((m) => path.join(workflowsDir, `${m}${ext}`));
}

export type TWorkflowCode =
  { workflowBundle: { codePath: string } } | { workflowsPath: string; bundlerOptions: { preloadModules: string[] } };

export function workflowCode(): TWorkflowCode {
  const codePath = path.join(codeRoot, WORKFLOW_BUNDLE_FILE);
  // Only the build writes it, next to the code it bundled: a bundle never runs with sources it was not made from.
  return existsSync(codePath)
    ? { workflowBundle: { codePath } }
    : {
        workflowsPath: WORKFLOWS_PATH,
        bundlerOptions: { preloadModules: workflowPreload(path.dirname(WORKFLOWS_PATH), path.extname(self)) },
      };
}
