/** `npm start`: the worker and link server, configured from the environment. */
import { loadConfig } from './config.js';
import { startApp } from './app.js';
import { installLogging, logOptionsFor } from './logging.js';
import { sdkTelemetry } from './metrics.js';
import { loadPolicy } from './policy.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const policy = loadPolicy(config.policyFile);
  // The SDK's runtime metrics join ours on /metrics (worker/metrics.ts) when METRICS_PORT is set.
  const log = installLogging(logOptionsFor(config, policy), config.metrics ? await sdkTelemetry() : undefined);
  const app = await startApp(config, policy, { log });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down gracefully`);
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`error: shutdown failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  // Our own errors say what to do; a stack trace would only hide that.
  const ours = ['ConfigError', 'PolicyError', 'TemporalConnectError'];
  console.error(err instanceof Error && ours.includes(err.name) ? err.message : err);
  process.exit(1);
});
