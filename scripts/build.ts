/**
 * `npm run build`: the service as JavaScript and its prebuilt workflow bundle, what `npm start` and the Docker image
 * run (tsx stays a development tool).
 *   1. tsc -p tsconfig.build.json: ESM in dist/, the sources' layout kept (dist/worker/main.js), .tsx templates too.
 *   2. bundleWorkflowCode from the compiled workflows (dist/workflows/index.js) with the failure converter the
 *      worker uses, written to dist/workflow-bundle.js: the compiled worker loads it instead of running webpack
 *      at every start (worker/workflow-code.ts).
 *   3. esbuild bundles the worker's entry (dist/worker/main.js) with its dependencies into that one file, in place:
 *      Node then reads one file at start instead of about 650 (fastify, imapflow, mailparser, React, zod, ...).
 *      Importing the worker's modules took 1.85 s as files and 1.15-1.3 s bundled here. @temporalio/* stays
 *      outside, as the SDK asks (its worker finds its thread's code and the native bridge by path). The other files
 *      in dist/ stay as tsc wrote them (the admin CLI, the failure converter the SDK loads by path).
 *   4. dist/build-info.json, whose time bin/build-state.js compares with the sources' (a stale build is named).
 * BUILD_OUT_DIR builds elsewhere (the build test, the start-up bench). The directory is emptied first.
 *
 *   npm run build            # or: npx tsx scripts/build.ts [outDir]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { build as esbuild } from 'esbuild';
import { PROJECT_ROOT } from '../worker/config-schema.js';
import { treeCommit } from './lib/commit.js';
import { WORKFLOW_BUNDLE_FILE, workflowPreload } from '../worker/workflow-code.js';

/** Builds into `outDir` (absolute, or relative to the repository); returns its absolute path. */
async function build(outDir: string, log: (line: string) => void = console.log): Promise<string> {
  const out = path.resolve(PROJECT_ROOT, outDir);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(PROJECT_ROOT, 'tsconfig.build.json'), '--outDir', out], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });
  log(`compiled into ${path.relative(PROJECT_ROOT, out) || out}`);
  const noop = (): void => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(out, 'workflows', 'index.js'),
    // The worker seals failure messages (worker/failure-converter.ts): the bundle must convert alike.
    failureConverterPath: path.join(out, 'worker', 'failure-converter.js'),
    preloadModules: workflowPreload(path.join(out, 'workflows'), '.js'),
    logger: { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop },
  });
  writeFileSync(path.join(out, WORKFLOW_BUNDLE_FILE), code);
  log(`workflow bundle ${path.join(path.relative(PROJECT_ROOT, out), WORKFLOW_BUNDLE_FILE)} (${code.length} bytes)`);
  const main = path.join(out, 'worker', 'main.js');
  await esbuild({
    entryPoints: [main],
    outfile: main,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@temporalio/*'],
    // The CommonJS dependencies inside call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as __nfCreateRequire } from 'node:module'; const require = __nfCreateRequire(import.meta.url);",
    },
    // main.js.map maps back to the sources (through tsc's maps): node --enable-source-maps uses it.
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  });
  log(`worker entry ${path.relative(PROJECT_ROOT, main)} bundled`);
  // The commit too: a benchmark of this build names it (bench/lib/results.ts), whatever the work tree holds by then.
  const info = { builtAt: new Date().toISOString(), commit: treeCommit() };
  writeFileSync(path.join(out, 'build-info.json'), `${JSON.stringify(info)}\n`);
  return out;
}

await build(process.argv[2] ?? process.env.BUILD_OUT_DIR ?? 'dist');
