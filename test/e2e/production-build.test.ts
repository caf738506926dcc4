/**
 * The production build as operators run it: `npm run build` (into a directory of the test's, not the shared dist/),
 * laid out like the Docker image's runtime stage (package.json, the production dependencies, dist/, bin/; no
 * sources, no devDependencies: tsx, TypeScript and the test tools cannot be found), then the compiled worker with
 * plain node against the test's Temporal dev server and the shared mail stack, loading the prebuilt workflow
 * bundle: a complaint is acknowledged, and SIGTERM stops it cleanly.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { testEnv, testPeople, testPolicyYaml } from '../helpers/app.js';
import { sendViaSmtp, waitForMail } from '../helpers/mail.js';
import { killWorker, spawnWorker, startCommand, type WorkerProcess } from '../helpers/worker-process.js';

const run = promisify(execFile);
const workers: WorkerProcess[] = [];
const made: string[] = [];
afterAll(async () => {
  await Promise.all(workers.map(killWorker));
  // The symlinked node_modules is unlinked, never followed.
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * What `npm ci --omit=dev` leaves of the repository's node_modules, as links in `into`: every installed package but
 * the devDependencies. A package found here resolves its own imports from where it really lies; the compiled code
 * in the install resolves only from here, so an import of a development tool fails as it would in the image.
 */
function productionModules(into: string, devDependencies: Record<string, string>): void {
  const from = path.join(PROJECT_ROOT, 'node_modules');
  const dev = new Set(Object.keys(devDependencies));
  mkdirSync(into);
  for (const name of readdirSync(from)) {
    if (name.startsWith('.')) continue;
    if (!name.startsWith('@')) {
      if (!dev.has(name)) symlinkSync(path.join(from, name), path.join(into, name));
      continue;
    }
    mkdirSync(path.join(into, name));
    for (const scoped of readdirSync(path.join(from, name)))
      if (!dev.has(`${name}/${scoped}`)) symlinkSync(path.join(from, name, scoped), path.join(into, name, scoped));
  }
}

/** Every .js file under `dir`. */
function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : [],
  );
}

/** The packages a compiled file imports statically (`import … from 'x'`, `export … from 'x'`). */
function packagesImported(file: string): string[] {
  const specs = [
    ...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?'([^'.][^']*)'/gm),
  ];
  return specs.map(([, s]) =>
    s!
      .split('/')
      .slice(0, s!.startsWith('@') ? 2 : 1)
      .join('/'),
  );
}

describe('the production build', () => {
  // The runtime stage's layout: what `npm ci --omit=dev` installs (here: links to the repository's production
  // packages), dist/, bin/.
  const install = mkdtempSync(path.join(os.tmpdir(), 'nachfass-install-'));
  const dist = path.join(install, 'dist');
  made.push(install);

  it('compiles with its workflow bundle, and imports only production dependencies', async () => {
    cpSync(path.join(PROJECT_ROOT, 'package.json'), path.join(install, 'package.json'));
    cpSync(path.join(PROJECT_ROOT, 'bin'), path.join(install, 'bin'), { recursive: true });
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    // tsx is a development tool (the demo, the tests, `npm run start:dev`): production runs without it.
    expect(pkg.devDependencies).toHaveProperty('tsx');
    expect(pkg.dependencies).not.toHaveProperty('tsx');
    productionModules(path.join(install, 'node_modules'), pkg.devDependencies);
    expect(existsSync(path.join(install, 'node_modules', 'tsx'))).toBe(false);
    await run('npm', ['run', 'build'], { cwd: PROJECT_ROOT, env: { ...process.env, BUILD_OUT_DIR: dist } });
    for (const f of ['worker/main.js', 'worker/cli.js', 'templates/acknowledgment.js', 'workflow-bundle.js'])
      expect(existsSync(path.join(dist, f)), f).toBe(true);
    // The workflow modules (luxon with them) are evaluated once per workflow thread, not once per case
    // (worker/workflow-code.ts).
    const bundle = readFileSync(path.join(dist, 'workflow-bundle.js'), 'utf8');
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(bundle)?.[1] ?? '';
    expect(preload).toContain('workflows/index.js');
    expect(new Set(bundle.match(/"\.\/node_modules\/luxon\/[^"]+"/g)).size).toBe(1);

    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const devOnly = jsFiles(dist).flatMap((f) =>
      packagesImported(f)
        .filter((p) => !builtins.has(p) && !(p in pkg.dependencies))
        .map((p) => `${path.relative(dist, f)}: ${p}`),
    );
    // The one exception: the preview's PNGs need playwright-core, a development tool; the preview says so if absent.
    expect(devOnly).toEqual(['scripts/lib/browser.js: playwright-core']);
    // The worker's entry is one file with its dependencies (scripts/build.ts): it imports only the Temporal SDK,
    // which stays outside (esbuild writes double quotes).
    const main = readFileSync(path.join(dist, 'worker', 'main.js'), 'utf8');
    const outside = new Set([...main.matchAll(/^import .* from "([^"]+)";$/gm)].map(([, s]) => s!));
    expect([...outside].filter((s) => !builtins.has(s) && !s.startsWith('@temporalio/'))).toEqual([]);
    expect(outside).toContain('@temporalio/worker');
    expect(main).toContain('mailparser'); // bundled: fastify, imapflow, mailparser, React, ...
  });

  it('runs the admin CLI compiled, and npm start refuses to start without a build, saying what to do', async () => {
    const help = await run(process.execPath, [path.join(install, 'bin', 'nachfass.js'), '--help']).catch(
      (err: { stdout: string; stderr: string }) => err,
    );
    expect(help.stdout + help.stderr).toContain('usage:');

    const empty = mkdtempSync(path.join(os.tmpdir(), 'nachfass-nobuild-'));
    made.push(empty);
    cpSync(path.join(PROJECT_ROOT, 'bin'), path.join(empty, 'bin'), { recursive: true });
    cpSync(path.join(PROJECT_ROOT, 'package.json'), path.join(empty, 'package.json'));
    const refused = await run('npm', ['start'], { cwd: empty }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toContain('run `npm run build` first');
  });

  it('the compiled worker loads the prebuilt bundle, acknowledges a complaint, and stops cleanly on SIGTERM', async () => {
    const people = testPeople();
    const policyFile = path.join(install, 'policy.yaml');
    writeFileSync(policyFile, testPolicyYaml(people));
    const env = await testEnv(people, { POLICY_FILE: policyFile });
    // As npm start runs it: with its node flags (the heap limit).
    const start = startCommand();
    const worker = spawnWorker({ ...start.env, ...env }, [...start.flags, path.join(dist, 'worker', 'main.js')]);
    workers.push(worker);
    expect(await worker.line(/workflow code/)).toContain(
      `the prebuilt bundle ${path.join(dist, 'workflow-bundle.js')}`,
    );
    await worker.line(/link server on/);

    const messageId = `<build-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    await sendViaSmtp({
      from: people.customer,
      to: people.support,
      subject: 'Toaster defekt',
      text: 'Hallo',
      messageId,
    });
    const [ack] = await waitForMail(people.customer, (m) => m.inReplyTo === messageId, { timeoutMs: 120_000 });
    expect(ack!.headers.get('x-nachfass-kind')).toBe('acknowledgment');

    worker.child.kill('SIGTERM');
    expect(await worker.exit).toEqual({ code: 0, signal: null });
    expect(worker.lines.some((l) => l.includes('SIGTERM: stopped'))).toBe(true);
  });
});
