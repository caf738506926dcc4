/**
 * A worker process the test spawns, as operators run it: from the sources (`node --import tsx worker/main.ts`) or
 * compiled (`node dist/worker/main.js`), its log kept (one JSON line per event), its exit awaited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../worker/config.js';

export interface WorkerProcess {
  child: ChildProcess;
  /** Every line the process wrote, stdout and stderr. */
  lines: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first line matching `re` (already written or to come); rejects when the process exits first. */
  line(re: RegExp): Promise<string>;
}

/**
 * How `npm start` runs the compiled worker (package.json's start script): its environment assignments (glibc's
 * malloc thresholds) and its node flags (the heap limit).
 */
export function startCommand(): { env: Record<string, string>; flags: string[] } {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const words = pkg.scripts.start.split(/\s+/);
  const env = Object.fromEntries(words.filter((w) => /^[A-Z_]+=/.test(w)).map((w) => w.split('=', 2)));
  return { env, flags: words.filter((t) => t.startsWith('--')) };
}

/** From the sources by default; `args` e.g. [path to dist/worker/main.js] for the compiled worker. */
export function spawnWorker(
  env: Record<string, string>,
  args: string[] = ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker/main.ts')],
): WorkerProcess {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiting: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  let rest = '';
  const take = (d: Buffer): void => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts.filter(Boolean)) {
      lines.push(l);
      for (const w of waiting.filter((x) => x.re.test(l))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(l);
      }
    }
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    exit,
    line: (re) => {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return Promise.race([
        new Promise<string>((resolve) => waiting.push({ re, resolve })),
        exit.then(({ code, signal }) => {
          throw new Error(`worker exited (code ${code}, signal ${signal}) before ${re}:\n${lines.join('\n')}`);
        }),
      ]);
    },
  };
}

/** SIGKILLs the process if it still runs (a test's clean-up). */
export async function killWorker(w: WorkerProcess): Promise<void> {
  if (w.child.exitCode === null && w.child.signalCode === null) {
    w.child.kill('SIGKILL');
    await w.exit;
  }
}
