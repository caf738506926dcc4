/**
 * The commit of this work tree, with "+changes" when its sources differ from it (benchmark results and the build's
 * build-info.json name it). Undefined without git (e.g. a Docker build, whose context has no .git).
 */
import { execFileSync } from 'node:child_process';
import { PROJECT_ROOT } from '../../worker/config-schema.js';

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

export function treeCommit(): string | undefined {
  const rev = git(['rev-parse', '--short=10', 'HEAD']);
  if (!rev) return undefined;
  const dirty = git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results', ':!README.md']);
  return dirty ? `${rev}+changes` : rev;
}
