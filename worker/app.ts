/**
 * The process: Temporal connection (or the embedded dev server), the Worker with its activities, the
 * mailbox intake workflow, and the link server. `startApp` is shared by `npm start`, the demo and the tests.
 */
import { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import type { RouterDeps } from '../activities/intake/route.js';
import type { MailboxSettings } from '../activities/intake/mailbox.js';
import { ensureReconcileSchedule } from './reconcile-schedule.js';
import { startLmtpIntake, type LmtpIntake } from '../activities/intake/lmtp.js';
import type { TConfig } from './config.js';
import { endDeadHolders } from './dead-holder.js';
import { mailboxesOf, startIntakes } from './intakes.js';
import {
  connectTemporal,
  connectWorker,
  startCodecEndpoint,
  type TCleanup,
  type TemporalConnection,
} from './temporal-connection.js';
import { startLinkServer } from './link-server/server.js';
import type { TPolicy } from './policy.js';
import { startOps } from './ops.js';
import { adaptiveTuner } from './task-slots.js';
import { taskSlotGauges } from './metrics.js';
import { workflowCode } from './workflow-code.js';
import { warmUp } from './warm-up.js';
import { intakeRouter, workerActivities, type TWorkerActivities } from './worker-activities.js';

export interface App {
  client: Client;
  /** Where the link server listens. */
  linkServerUrl: string;
  /** The Web UI's codec endpoint, when CODEC_PORT is set. */
  codecUrl?: string;
  temporalAddress: string;
  /** Temporal Web UI, when the embedded dev server runs. */
  uiUrl?: string;
  /** The intake of the first watched folder; `intakeWorkflowIds` has one per folder. */
  intakeWorkflowId: string;
  intakeWorkflowIds: string[];
  /** Where the LMTP intake listens, when INTAKE_LMTP_PORT is set. */
  lmtpAddress?: { host: string; port: number };
  stop(): Promise<void>;
}

export interface AppOptions {
  /** A prebuilt workflow bundle (tests build it once per file). */
  workflowBundle?: WorkflowBundle;
  log?: (line: string) => void;
  /** Wraps intake's hands on Temporal; tests use it to inject faults (e.g. a crash between start and move). */
  wrapRouter?: (deps: RouterDeps) => RouterDeps;
}

/** The Worker on the task queue, running until the process stops (drained, then the native connection closed). */
async function runWorker(
  nativeConnection: NativeConnection,
  config: TConfig,
  opts: AppOptions,
  activities: TWorkerActivities,
  dataConverter: TemporalConnection['dataConverter'],
  cleanup: TCleanup,
  { stopping, log, warm }: { stopping: AbortSignal; log: (line: string) => void; warm: Promise<void> },
): Promise<void> {
  // The tests' bundle, else the build's prebuilt one (dist/workflow-bundle.js), else bundled now from the sources.
  const built = opts.workflowBundle ? undefined : workflowCode();
  if (built)
    log(
      'workflowBundle' in built
        ? `workflow code: the prebuilt bundle ${built.workflowBundle.codePath}`
        : 'workflow code: bundling the sources now (npm run build prebuilds the bundle)',
    );
  const { tuner, slots } = adaptiveTuner({ max: config.maxWorkflowTasks });
  taskSlotGauges.source = slots.state;
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(built ?? { workflowBundle: opts.workflowBundle }),
    activities,
    ...(dataConverter ? { dataConverter } : {}),
    // SHUTDOWN_GRACE: activities still running get most of it, then are cancelled (and retried elsewhere); the
    // rest is for closing connections. The intake does not wait for it: it stops at once (`stopping`).
    shutdownGraceTime: config.shutdownGrace - Math.min(2_000, config.shutdownGrace / 4),
    shutdownForceTime: config.shutdownGrace,
    maxCachedWorkflows: config.maxCachedWorkflows,
    // A case's workflow task includes its mail (local activities): how many run at once adapts to how long they
    // take, up to WORKER_MAX_WORKFLOW_TASKS (task-slots.ts). Pollers scale with the server's backlog instead of the
    // SDK's fixed 2 for new cases' first tasks and 8 for cached cases' (a burst is all first tasks).
    tuner,
    workflowTaskPollerBehavior: { type: 'autoscaling' },
  });
  // The first cases' mails find the ledger's connections open and the templates rendered once (warm-up.ts).
  await warm;
  const running = worker.run();
  // The SDK shuts the worker down on SIGTERM/SIGINT itself; a second shutdown() would throw (DRAINING).
  const shutdown = (): void => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  // First of all when the app stops: no new tasks are polled before the intake hands its mailbox on.
  stopping.addEventListener('abort', shutdown, { once: true });
  cleanup(async () => {
    shutdown();
    await running;
  });
}

/** The LMTP intake (INTAKE_LMTP_PORT): mail for the watched INBOX (or the first folder), closed before the worker. */
async function startLmtp(
  config: TConfig,
  at: { host: string; port: number },
  boxes: MailboxSettings[],
  router: (box: MailboxSettings) => RouterDeps,
  log: (line: string) => void,
  cleanup: TCleanup,
): Promise<LmtpIntake> {
  const box = boxes.find((b) => b.folder.toUpperCase() === 'INBOX') ?? boxes[0]!;
  const lmtp = await startLmtpIntake({ ...at, box, router, maxMailBytes: config.mailbox.maxMailBytes, log });
  cleanup(() => lmtp.close());
  return lmtp;
}

export async function startApp(config: TConfig, policy: TPolicy, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  // Aborted first on stop: the Worker polls no more, the intake takes no more mail (then everything closes in turn).
  const stopping = new AbortController();
  const stop = async (): Promise<void> => {
    stopping.abort();
    for (const c of cleanups.reverse()) await c();
  };
  try {
    const cleanup: TCleanup = (c) => cleanups.push(c);
    const { address, dev, client, codec, dataConverter, searchAttributes } = await connectTemporal(
      config,
      log,
      cleanup,
    );
    const boxes = mailboxesOf(config, policy);
    // The Worker's connection, shared with the Client that starts cases: the server then hands a new case's first
    // workflow task to this worker in its answer to the start (eager workflow start), without a round through
    // matching. Closed after the Worker has drained.
    const nativeConnection = await connectWorker(config.temporal, address);
    cleanup(() => nativeConnection.close());
    const starter = new Client({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      ...(dataConverter ? { dataConverter } : {}),
    });
    const router = intakeRouter(config, policy, opts, { client, starter, searchAttributes });
    const deps = { client, router, stopping: stopping.signal };
    const { activities, ledger } = workerActivities(config, policy, deps, boxes, cleanup);
    await runWorker(nativeConnection, config, opts, activities, dataConverter, cleanup, {
      stopping: stopping.signal,
      log,
      warm: warmUp({ ledger, log }),
    });
    const intakeIds = await startIntakes(client, config, boxes);
    // A mailbox still held by a process of this host that is gone (a crash, a restart) is taken over at once.
    for (const line of await endDeadHolders(client, intakeIds)) log(`intake take-over: ${line}`);
    await ensureReconcileSchedule(client, config);
    const lmtp = config.lmtp ? await startLmtp(config, config.lmtp, boxes, router, log, cleanup) : undefined;
    const ops = await startOps(config, { client, boxes, intakeIds }, log, cleanup);

    const http = await startLinkServer({
      client,
      linkSecret: config.linkSecret,
      previousLinkSecrets: config.previousLinkSecrets,
      timeZone: policy.company.timeZone,
      host: config.http.host,
      port: config.http.port,
      publicUrl: config.http.publicUrl,
      language: config.mailbox.language,
      onError: (err) => log(`link server error: ${err.stack ?? err.message}`),
      readiness: ops.readiness,
    });
    cleanups.push(() => http.app.close());
    const codecUrl = await startCodecEndpoint(codec, config, log, cleanup);
    log(
      `link server on ${http.url}, watching ${boxes.map((b) => b.key).join(', ')} on ${config.mailbox.host}:${config.mailbox.port}`,
    );

    return {
      client,
      linkServerUrl: http.url,
      ...(codecUrl ? { codecUrl } : {}),
      temporalAddress: address,
      ...(dev ? { uiUrl: dev.uiUrl } : {}),
      intakeWorkflowId: intakeIds[0]!,
      intakeWorkflowIds: intakeIds,
      ...(lmtp ? { lmtpAddress: { host: lmtp.host, port: lmtp.port } } : {}),
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
