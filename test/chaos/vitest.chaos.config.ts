/**
 * The chaos test (test/chaos/chaos.test.ts) alone: `npx vitest run --config test/chaos/vitest.chaos.config.ts`.
 * Run by scripts/test.sh after the other suites, alone (see the header of chaos.test.ts).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/chaos/chaos.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
