/**
 * `npm start` (compiled: dist/worker/main.js; from the sources: tsx worker/main.ts): the worker and link server,
 * configured from the environment. SIGTERM/SIGINT stop it cleanly within SHUTDOWN_GRACE (exit code 0), see app.ts.
 */

// React renders the mails: its development build checks every element and was a tenth of the worker's CPU in a
// burst (bench/burst.ts). Production unless the operator says otherwise; set before React is first loaded, which
// is why the modules below are imported here and not at the top.
process.env.NODE_ENV ??= 'production';

async function main(): Promise<void> {
  const { loadConfig } = await import('./config.js');
  const { startApp } = await import('./app.js');
  const { installLogging, logOptionsFor } = await import('./logging.js');
  const { sdkTelemetry } = await import('./metrics.js');
  const { loadPolicy } = await import('./policy.js');
  const config = loadConfig(process.env);
  const policy = loadPolicy(config.policyFile);
  // The SDK's runtime metrics join ours on /metrics (worker/metrics.ts) when METRICS_PORT is set.
  const log = installLogging(logOptionsFor(config, policy), config.metrics ? await sdkTelemetry() : undefined);
  const app = await startApp(config, policy, { log });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    // Intake stops now; running activities get up to SHUTDOWN_GRACE (app.ts).
    log(`${signal}: shutting down gracefully`);
    // The promise made to whoever sent the signal (Kubernetes, systemd, docker stop): gone within SHUTDOWN_GRACE.
    setTimeout(() => {
      log(`error: still stopping after SHUTDOWN_GRACE (${config.shutdownGrace} ms): exiting now`);
      process.exit(1);
    }, config.shutdownGrace).unref();
    app.stop().then(
      () => {
        log(`${signal}: stopped`);
        process.exit(0);
      },
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
