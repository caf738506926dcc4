/**
 * The chaos test (test/chaos/chaos.wip.ts) alone: `npx vitest run --config test/chaos/vitest.chaos.config.ts`.
 * Not part of `npm test` yet: it still fails on mails delivered twice (see the file's header).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/chaos/chaos.wip.ts'],
    testTimeout: 600_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
