/**
 * A worker process that dies by SIGKILL right after its first case start is durable and before the mail
 * is moved: the crash window intake must survive. Configured from the environment like `npm start`;
 * run by test/e2e/intake-failover.test.ts.
 */
import { startApp } from '../../worker/app.js';
import { loadConfig } from '../../worker/config.js';
import { loadPolicy } from '../../worker/policy.js';

const config = loadConfig(process.env);
await startApp(config, loadPolicy(config.policyFile), {
  log: () => undefined,
  wrapRouter: (deps) => ({
    ...deps,
    startCase: async (input) => {
      const outcome = await deps.startCase(input);
      process.kill(process.pid, 'SIGKILL');
      return outcome;
    },
  }),
});
