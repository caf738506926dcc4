import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_ROOT } from '../../worker/config.js';
import { cacheTooLarge, heapNeededMb } from '../../worker/heap-budget.js';
import { VALID_ENV } from '../helpers/config-env.js';
import { startCommand } from '../helpers/worker-process.js';

/** The heap limit (MB) a node started with `flags` has, as V8 reports it. */
function heapLimitMb(flags: string[]): number {
  const out = execFileSync(process.execPath, [
    ...flags,
    '-e',
    'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit / 2 ** 20))',
  ]);
  return Number(out.toString());
}

describe('the workflow cache and the heap', () => {
  it('grows the estimate with the cache and names the setting when it does not fit', () => {
    expect(heapNeededMb(500)).toBeLessThan(heapNeededMb(1000));
    expect(cacheTooLarge(500, 304)).toBeUndefined();
    const refusal = cacheTooLarge(5000, 304);
    expect(refusal).toContain('WORKER_MAX_CACHED_WORKFLOWS');
    expect(refusal).toContain('--max-old-space-size');
    // The largest cache it suggests fits.
    const most = Number(/at most (\d+)/.exec(refusal ?? '')?.[1]);
    expect(cacheTooLarge(most, 304)).toBeUndefined();
    expect(cacheTooLarge(most + 10, 304)).toBeDefined();
  });

  it('fits the default cache in the heap npm start gives the worker, and refuses a cache that does not', () => {
    const { flags } = startCommand();
    expect(flags.some((f) => f.startsWith('--max-old-space-size='))).toBe(true);
    const limit = heapLimitMb(flags);
    expect(cacheTooLarge(loadConfig(VALID_ENV).maxCachedWorkflows, limit)).toBeUndefined();
    expect(cacheTooLarge(2000, limit)).toBeDefined();
  });

  it('runs the Docker image as npm start runs the worker: the same node flags and malloc settings', () => {
    const docker = readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    const { env, flags } = startCommand();
    expect(Object.keys(env).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(env)) expect(docker).toMatch(new RegExp(`^ENV .*\\b${k}=${v}\\b`, 'm'));
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(docker)?.[1] ?? '[]') as string[];
    expect(cmd).toEqual(['node', ...flags, 'dist/worker/main.js']);
  });

  it('stops start-up naming WORKER_MAX_CACHED_WORKFLOWS when the cache exceeds this process heap', () => {
    expect(() => loadConfig({ ...VALID_ENV, WORKER_MAX_CACHED_WORKFLOWS: '100000' })).toThrow(
      /WORKER_MAX_CACHED_WORKFLOWS: 100000 cached cases need about \d+ MB of heap/,
    );
    expect(loadConfig({ ...VALID_ENV, WORKER_MAX_CACHED_WORKFLOWS: '800' }).maxCachedWorkflows).toBe(800);
  });
});
