/* global process, console */
// Whether the compiled build (dist/, `npm run build`) is there and not older than the sources beside it.
// Used by bin/nachfass.js (compiled CLI or the sources through tsx) and by `npm start` (prestart: builds first in a
// checkout, refuses in an install that has neither a build nor sources). An install without sources (the Docker image) counts its build as current.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const DIST = path.join(ROOT, 'dist');
const SOURCES = ['workflows', 'activities', 'worker', 'templates'];

/** The newest source file under `dir` (.ts/.tsx), as [mtimeMs, path]. */
function newest(dir, best = [0, '']) {
  if (!existsSync(dir)) return best;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) best = newest(p, best);
    else if (/\.tsx?$/.test(e.name)) {
      const t = statSync(p).mtimeMs;
      if (t > best[0]) best = [t, p];
    }
  }
  return best;
}

/** 'missing', 'stale' (with the newer source file) or 'current'. */
export function buildState() {
  const info = path.join(DIST, 'build-info.json');
  if (!existsSync(path.join(DIST, 'worker', 'main.js')) || !existsSync(info)) return { state: 'missing' };
  const builtAt = statSync(info).mtimeMs;
  let [t, file] = [0, ''];
  for (const d of SOURCES) [t, file] = newest(path.join(ROOT, d), [t, file]);
  return t > builtAt ? { state: 'stale', newer: path.relative(ROOT, file) } : { state: 'current' };
}

// `npm start`'s prestart. In a checkout (the sources are there) a missing or stale build is made first, once (about
// 15 s), so that `npm start` keeps working on a fresh clone as the README's contract says; an install without
// sources and without a build (nothing to build from) refuses with what to do.
if (process.argv[2] === '--for-start') {
  const s = buildState();
  const sources = existsSync(path.join(ROOT, 'worker', 'main.ts'));
  if (s.state !== 'current' && sources) {
    console.error(
      s.state === 'missing'
        ? 'npm start runs the compiled build; there is none yet: building it first (npm run build) ...'
        : `dist/ is older than ${s.newer}: building it again first (npm run build) ...`,
    );
    const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) {
      console.error('the build failed (see above): fix it, or run the sources without a build: npx tsx worker/main.ts');
      process.exit(1);
    }
  } else if (s.state === 'missing') {
    console.error(
      'npm start runs the compiled build, and there is none (dist/worker/main.js): run `npm run build` first.\n' +
        'From the sources without a build: npx tsx worker/main.ts',
    );
    process.exit(1);
  } else if (s.state === 'stale')
    console.error(`warning: dist/ is older than ${s.newer}: run \`npm run build\` to update it`);
}
