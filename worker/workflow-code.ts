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

export type TWorkflowCode = { workflowBundle: { codePath: string } } | { workflowsPath: string };

export function workflowCode(): TWorkflowCode {
  const codePath = path.join(codeRoot, WORKFLOW_BUNDLE_FILE);
  // Only the build writes it, next to the code it bundled: a bundle never runs with sources it was not made from.
  return existsSync(codePath) ? { workflowBundle: { codePath } } : { workflowsPath: WORKFLOWS_PATH };
}
