/**
 * Start-up time of the worker process, three ways: from the sources through tsx (webpack bundles the workflows at
 * start), compiled without the prebuilt bundle (still bundling at start), and compiled with the bundle `npm run
 * build` makes (dist/workflow-bundle.js, loaded as it is). Each against a private Temporal dev server and the shared
 * mail stack (bash scripts/stack.sh up mail), each a fresh process with a fresh task queue.
 *
 *   npx tsx bench/startup.ts [RUNS]      (default 3 runs per way)
 *
 * Measured from the spawn to the Worker's RUNNING state (it polls from then on) and to "link server on" (the whole
 * app up). Prints the medians and writes bench/results/startup.json. Figures, not assertions: the machine is shared.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../worker/config.js';
import { startDevServer } from '../worker/dev-server.js';
import { freePort } from '../scripts/lib/ports.js';
import { killWorker, spawnWorker } from '../test/helpers/worker-process.js';
import { benchEnv } from './bench-env.js';

const runs = Number(process.argv[2] ?? 3);

async function once(args: string[], temporalAddress: string): Promise<{ running: number; ready: number }> {
  const support = `startup-${randomBytes(4).toString('hex')}@example.test`;
  const t0 = performance.now();
  const w = spawnWorker(
    await benchEnv(
      { temporal: temporalAddress, taskQueue: `startup-${randomBytes(4).toString('hex')}`, support },
      { RECONCILE_EVERY: 'off', POLICY_FILE: path.join(PROJECT_ROOT, 'policy', 'example.yaml') },
    ),
    args,
  );
  try {
    await w.line(/^(?=.*Worker state changed)(?=.*RUNNING)/);
    const running = performance.now() - t0;
    await w.line(/link server on/);
    return { running, ready: performance.now() - t0 };
  } finally {
    w.child.kill('SIGTERM');
    await Promise.race([w.exit, new Promise((r) => setTimeout(r, 15_000))]);
    await killWorker(w);
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// A build laid out like the Docker image's runtime stage (package.json, node_modules, dist/).
const install = mkdtempSync(path.join(os.tmpdir(), 'nachfass-startup-'));
cpSync(path.join(PROJECT_ROOT, 'package.json'), path.join(install, 'package.json'));
symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(install, 'node_modules'));
const dist = path.join(install, 'dist');
execFileSync('npm', ['run', 'build'], {
  cwd: PROJECT_ROOT,
  env: { ...process.env, BUILD_OUT_DIR: dist },
  stdio: 'ignore',
});

const server = await startDevServer({ port: await freePort(), uiPort: await freePort() });
const results: Array<Record<string, number | string>> = [];
try {
  const ways: Array<{ way: string; args: string[]; before?: () => void; after?: () => void }> = [
    { way: 'sources (tsx), bundled at start', args: ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker/main.ts')] },
    {
      way: 'compiled, bundled at start',
      args: [path.join(dist, 'worker/main.js')],
      before: () => renameSync(path.join(dist, 'workflow-bundle.js'), path.join(install, 'workflow-bundle.js')),
      after: () => renameSync(path.join(install, 'workflow-bundle.js'), path.join(dist, 'workflow-bundle.js')),
    },
    { way: 'compiled, prebuilt bundle (npm start)', args: [path.join(dist, 'worker/main.js')] },
  ];
  for (const { way, args, before, after } of ways) {
    before?.();
    const times: Array<{ running: number; ready: number }> = [];
    try {
      for (let i = 0; i < runs; i++) times.push(await once(args, server.address));
    } finally {
      after?.();
    }
    const row = {
      way,
      runs,
      workerRunningMs: Math.round(median(times.map((t) => t.running))),
      appReadyMs: Math.round(median(times.map((t) => t.ready))),
    };
    results.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  await server.stop();
  rmSync(install, { recursive: true, force: true }); // the node_modules symlink is unlinked, not followed
}
mkdirSync(path.join(PROJECT_ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  path.join(PROJECT_ROOT, 'bench/results/startup.json'),
  `${JSON.stringify({ measuredAt: new Date().toISOString(), cpus: os.cpus().length, results }, null, 2)}\n`,
);
