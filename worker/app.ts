/**
 * The process: Temporal connection (or the embedded dev server), the Worker with its activities, the
 * mailbox intake workflow, and the link server. `startApp` is shared by `npm start`, the demo and the tests.
 */
import { Client, Connection } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActivities } from '../activities/index.js';
import type { RouterDeps } from '../activities/intake/route.js';
import { imapOptions, type MailboxSettings } from '../activities/intake/mailbox.js';
import { createMailSender, createSmtpTransport } from '../activities/mail.js';
import { SentLedger } from '../activities/sent-ledger.js';
import Fastify from 'fastify';
import type { IntakeWorkflow } from '../workflows/intake.js';
import { CASE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { codecRoutes } from './codec-endpoint.js';
import { EncryptionCodec, FAILURE_CONVERTER_PATH } from './codec.js';
import { createCaseGateway } from '../activities/intake/case-gateway.js';
import type { TConfig } from './config.js';
import { startDevServer, type DevServer } from './dev-server.js';
import { startLinkServer } from './link-server/server.js';
import { policySnapshot, type TPolicy } from './policy.js';

/** A claim in the Sent ledger counts as a send in progress this long: above the send activity's 1-minute timeout. */
const SEND_CLAIM_MS = 2 * 60_000;

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
  stop(): Promise<void>;
}

export interface AppOptions {
  /** A prebuilt workflow bundle (tests build it once per file). */
  workflowBundle?: WorkflowBundle;
  log?: (line: string) => void;
  /** Wraps intake's hands on Temporal; tests use it to inject faults (e.g. a crash between start and move). */
  wrapRouter?: (deps: RouterDeps) => RouterDeps;
}

/** True when the server knows every custom search attribute a case upserts. */
async function hasSearchAttributes(connection: Connection, namespace: string): Promise<boolean> {
  const res = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(res.customAttributes ?? {}));
  return CASE_SEARCH_ATTRIBUTES.every((a) => known.has(a.name));
}

function wrapRouter(
  wrap: AppOptions['wrapRouter'],
  make: (box: MailboxSettings) => RouterDeps,
): (box: MailboxSettings) => RouterDeps {
  return wrap ? (box) => wrap(make(box)) : make;
}

export function intakeWorkflowId(mailboxKey: string): string {
  return `intake-${mailboxKey.replace(/[^A-Za-z0-9@._-]+/g, '-')}`;
}

export async function startApp(config: TConfig, policy: TPolicy, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const stop = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    let dev: DevServer | undefined;
    let address = config.temporal.address;
    if (!address) {
      dev = await startDevServer({
        ...config.temporal.dev,
        // The embedded server's Web UI decrypts through our codec endpoint.
        ...(config.payload.encryption && config.codec
          ? { codecEndpoint: `http://${config.codec.host}:${config.codec.port}` }
          : {}),
        dbFile: config.temporal.dev.dbFile,
        namespace: config.temporal.namespace,
      });
      cleanups.push(() => dev?.stop());
      address = dev.address;
      log(`embedded Temporal dev server on ${address}, Web UI ${dev.uiUrl}`);
    }
    // Every payload this process sends to Temporal is sealed, failure messages included (their common
    // attributes become a payload, see worker/failure-converter.ts); the worker and the client share the codec.
    const codec = config.payload.encryption
      ? new EncryptionCodec(config.payload.key, config.payload.previousKeys)
      : undefined;
    const dataConverter = codec ? { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH } : undefined;
    const connection = await Connection.connect({ address });
    cleanups.push(() => connection.close());
    const client = new Client({
      connection,
      namespace: config.temporal.namespace,
      ...(dataConverter ? { dataConverter } : {}),
    });
    const searchAttributes = await hasSearchAttributes(connection, config.temporal.namespace);
    if (!searchAttributes)
      log(
        'the Temporal server lacks the custom search attributes (stack/search-attributes.txt): cases will not set them',
      );

    const transport = createSmtpTransport(config.smtp);
    cleanups.push(() => transport.close());
    // One intake per watched folder, each with its defaults from the policy (language, team).
    const { folders, ...account } = config.mailbox;
    const boxes: MailboxSettings[] = folders.map((folder) => {
      const defaults = policy.mailboxes[folder] ?? {};
      return {
        ...account,
        key: `${account.user}/${folder}`,
        folder,
        language: defaults.language ?? account.language,
        ...(defaults.team ? { team: defaults.team } : {}),
      };
    });
    // The support mailbox's Sent folder as the send ledger: a retried send is skipped once it went out.
    const ledger = config.sendLedger
      ? new SentLedger({ imap: imapOptions(boxes[0]!), folder: config.mailbox.sentFolder, claimMs: SEND_CLAIM_MS })
      : undefined;
    if (ledger) cleanups.push(() => ledger.close());
    const activities = createActivities({
      sendMail: createMailSender(transport, ledger, config.mailBudget),
      supportAddress: config.supportAddress,
      ...(config.adminAddress ? { adminAddress: config.adminAddress } : {}),
      publicUrl: config.http.publicUrl,
      linkSecret: config.linkSecret,
      linkValidity: policy.durations.linkValidity,
      intake: {
        mailboxes: new Map(boxes.map((b) => [b.key, b])),
        recheckMs: config.intake.recheck,
        maxAttempts: config.intake.maxAttempts,
        router: wrapRouter(
          opts.wrapRouter,
          createCaseGateway({
            client,
            taskQueue: config.temporal.taskQueue,
            supportAddress: config.supportAddress,
            linkSecret: config.linkSecret,
            linkSecrets: [config.linkSecret, ...config.previousLinkSecrets],
            policyFor: (b) => policySnapshot(policy, b.team, new Date(), b.folder),
            searchAttributes,
            ackRateLimit: config.ackRateLimit,
            ackGlobalRateLimit: config.ackGlobalRateLimit,
          }),
        ),
      },
    });

    const nativeConnection = await NativeConnection.connect({ address });
    cleanups.push(() => nativeConnection.close());
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      ...(opts.workflowBundle
        ? { workflowBundle: opts.workflowBundle }
        : { workflowsPath: path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workflows', 'index.ts') }),
      activities,
      ...(dataConverter ? { dataConverter } : {}),
      // The intake activity is cancelled after this grace time and handed to another worker.
      shutdownGraceTime: '3s',
    });
    const running = worker.run();
    cleanups.push(async () => {
      // The SDK shuts the worker down on SIGTERM/SIGINT itself; a second shutdown() would throw (DRAINING).
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const intakeIds = boxes.map((b) => intakeWorkflowId(b.key));
    for (const [i, b] of boxes.entries()) {
      await client.workflow.start<typeof IntakeWorkflow>('IntakeWorkflow', {
        workflowId: intakeIds[i]!,
        taskQueue: config.temporal.taskQueue,
        args: [{ mailbox: b.key, runFor: config.intake.runFor, heartbeatTimeout: config.intake.heartbeatTimeout }],
        // One intake per mailbox: a second worker replica joins the running one.
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
    }

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
    });
    cleanups.push(() => http.app.close());
    let codecUrl: string | undefined;
    if (codec && config.codec) {
      const server = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
      codecRoutes(server, codec, { origins: config.codec.origins, token: config.codec.token, log });
      codecUrl = await server.listen({ host: config.codec.host, port: config.codec.port });
      cleanups.push(() => server.close());
      log(
        `codec endpoint for the Web UI on ${codecUrl} (origins ${config.codec.origins.join(', ')}; ` +
          `Authorization: Bearer CODEC_AUTH_TOKEN, or a browser login at ${codecUrl}/login)`,
      );
    }
    log(
      `link server on ${http.url}, watching ${boxes.map((b) => b.key).join(', ')} on ${account.host}:${account.port}`,
    );

    return {
      client,
      linkServerUrl: http.url,
      ...(codecUrl ? { codecUrl } : {}),
      temporalAddress: address,
      ...(dev ? { uiUrl: dev.uiUrl } : {}),
      intakeWorkflowId: intakeIds[0]!,
      intakeWorkflowIds: intakeIds,
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
