/** A whole Nachfass process for a test: its own support mailbox, task queue and link server port. */
import { randomBytes } from 'node:crypto';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import path from 'node:path';
import { inject } from 'vitest';
import { loadConfig, PROJECT_ROOT, type TConfig } from '../../worker/config.js';
import { startApp, type App } from '../../worker/app.js';
import { FAILURE_CONVERTER_PATH } from '../../worker/codec.js';
import { parsePolicy, type TPolicy } from '../../worker/policy.js';
import { workflowPreload } from '../../worker/workflow-code.js';
import { freePort, mailPorts, STACK_PASSWORD } from './ports.js';
import { uniqueAddress } from './mail.js';

// Worker state changes at INFO drown the test output; warnings and errors still show.
Runtime.install({ logger: new DefaultLogger('WARN') });

let bundle: Promise<WorkflowBundle> | undefined;
/** The workflow bundle, built once per test file. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: path.join(PROJECT_ROOT, 'workflows', 'index.ts'),
    // The app's workers seal failure messages (worker/failure-converter.ts); the bundle must convert alike.
    failureConverterPath: FAILURE_CONVERTER_PATH,
    preloadModules: workflowPreload(path.join(PROJECT_ROOT, 'workflows'), '.ts'),
    logger: quietLogger,
  });
  return bundle;
}

const noop = (): void => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

export interface TestPeople {
  support: string;
  supervisor: string;
  manager: string;
  customer: string;
}

export function testPeople(): TestPeople {
  return {
    support: uniqueAddress('support'),
    supervisor: uniqueAddress('supervisor'),
    manager: uniqueAddress('manager'),
    customer: uniqueAddress('kunde'),
  };
}

/** The test policy as YAML (a file for worker processes the test spawns). */
export function testPolicyYaml(
  people: TestPeople,
  durations: Partial<Record<string, string>> = {},
  options: { supervisorDeputy?: string; decisionUndoWindow?: string } = {},
): string {
  const d = {
    answerPromise: '10m',
    reminderAfter: '8m',
    escalateAfter: '9m',
    followUpAfter: '2s',
    linkValidity: '1h',
    ...durations,
  };
  return `
company: { name: Muster Versand GmbH, address: "Musterstraße 12, 10115 Berlin", phone: "+49 30 1234567", hours: "Mo–Fr 09:00–18:00", timeZone: Europe/Berlin }
ladder:
  - { role: Teamleitung, name: Sabine Schulz, address: ${people.supervisor}, language: de${options.supervisorDeputy ? `, deputy: { name: Thomas Vogel, address: ${options.supervisorDeputy} }` : ''} }
  - { role: Geschäftsleitung, name: Markus Weber, address: ${people.manager}, language: de }
durations: ${JSON.stringify(d)}
decisionUndoWindow: ${options.decisionUndoWindow ?? 0}
rules: { urgencyKeywords: [sofort, dringend, urgent], impactKeywords: [Erstattung, refund, kündige] }
`;
}

/**
 * The test policy, parsed: the example company, a two-level ladder of the test's people, the given durations.
 * Decisions are final at once (`decisionUndoWindow: 0`) unless a test opts in to the undo window.
 */
export function testPolicy(
  people: TestPeople,
  durations: Partial<Record<string, string>> = {},
  options: { decisionUndoWindow?: string } = {},
): TPolicy {
  return parsePolicy(testPolicyYaml(people, durations, options), 'test policy');
}

/** The environment of a test app: a fresh task queue, link secret and link server port. */
export async function testEnv(people: TestPeople, env: Record<string, string> = {}): Promise<Record<string, string>> {
  const port = await freePort();
  return {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    IMAP_HOST: '127.0.0.1',
    IMAP_PORT: String(mailPorts.imap),
    IMAP_SECURE: 'false',
    IMAP_USER: people.support,
    IMAP_PASSWORD: STACK_PASSWORD,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mailPorts.smtp),
    SMTP_SECURE: 'false',
    SUPPORT_ADDRESS: `Kundenservice <${people.support}>`,
    LINK_SECRET: randomBytes(32).toString('hex'),
    // Required outside the demo (worker/config.ts): fresh keys per test app, as production would have its own.
    PAYLOAD_KEY: randomBytes(32).toString('hex'),
    CODEC_AUTH_TOKEN: randomBytes(32).toString('base64'),
    INTAKE_HEARTBEAT_TIMEOUT: '5s',
    INTAKE_RECHECK: '5s',
    // The reconciler's schedule only where a test asks for it (test/e2e/reconcile-schedule.test.ts).
    RECONCILE_EVERY: 'off',
    HTTP_PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...env,
  };
}

export type TestApp = App & { config: TConfig };

/** Starts the app in this process from a test environment. */
export async function startAppWithEnv(env: Record<string, string>, policy: TPolicy): Promise<TestApp> {
  const config = loadConfig(env);
  const app = await startApp(config, policy, {
    workflowBundle: await workflowBundle(),
    log: (line) => /error/i.test(line) && console.error(line),
  });
  return { ...app, config };
}

/** Starts the app with fresh mailboxes' environment; `env` overrides single variables. */
export async function startTestApp(
  people: TestPeople,
  policy: TPolicy,
  env: Record<string, string> = {},
): Promise<TestApp> {
  return startAppWithEnv(await testEnv(people, env), policy);
}

/** How many complaint cases the app's task queue has seen (running or closed), from Temporal visibility. */
export async function countCases(app: TestApp): Promise<number> {
  const query = `TaskQueue = '${app.config.temporal.taskQueue}' AND WorkflowType = 'ComplaintWorkflow'`;
  return (await app.client.workflow.count(query)).count;
}
