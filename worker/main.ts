/** `npm start`: the worker and link server, configured from the environment. */
import { loadConfig } from './config.js';
import { startApp } from './app.js';
import { installLogging } from './logging.js';
import { sdkTelemetry } from './metrics.js';
import { loadPolicy } from './policy.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // The SDK's runtime metrics join ours on /metrics (worker/metrics.ts) when METRICS_PORT is set.
  installLogging('INFO', undefined, config.metrics ? await sdkTelemetry() : undefined);
  const policy = loadPolicy(config.policyFile);
  const app = await startApp(config, policy);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down gracefully`);
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
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
