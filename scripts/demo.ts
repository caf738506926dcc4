/**
 * The demo's Node part (run by scripts/demo.sh with the stack's environment): starts the worker and link
 * server, sends a sample complaint from a customer, waits for the approval request to whoever decides first, and prints
 * where to look. Keeps running until Ctrl-C (or exits at once with DEMO_EXIT=1).
 */
import { randomBytes } from 'node:crypto';
import { startApp } from '../worker/app.js';
import { loadConfig } from '../worker/config.js';
import { installLogging, logOptionsFor } from '../worker/logging.js';
import { sdkTelemetry } from '../worker/metrics.js';
import { loadPolicy } from '../worker/policy.js';
import { workflowIdFor } from '../activities/identity.js';
import { caseStateQuery } from '../workflows/messages.js';
import { decisionLink, sendViaSmtp, waitForMail } from './lib/dev-mail.js';

const CUSTOMER = 'kunde1@example.test';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const policy = loadPolicy(config.policyFile);
  const log = installLogging(logOptionsFor(config, policy), config.metrics ? await sdkTelemetry() : undefined);
  const app = await startApp(config, policy, { log });
  const stop = (): void => {
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const messageId = `<demo-${randomBytes(6).toString('hex')}@kunden.example.test>`;
  const sentAt = Date.now();
  await sendViaSmtp({
    from: `"Erika Müller" <${CUSTOMER}>`,
    to: config.mailbox.user,
    subject: 'Waschmaschine nach zwei Wochen defekt – bitte sofort Erstattung',
    messageId,
    text: [
      'Guten Tag,',
      '',
      'ich habe am 2. November bei Ihnen eine Waschmaschine gekauft (Bestellung 4711). Nach zwei Wochen',
      'schleudert sie nicht mehr, und die Reparatur wurde zweimal verschoben. Ich möchte den Kaufpreis',
      'von 499 € erstattet bekommen, und zwar sofort.',
      '',
      'Mit freundlichen Grüßen',
      'Erika Müller',
    ].join('\n'),
  });
  const [ack] = await waitForMail(CUSTOMER, (m) => m.inReplyTo === messageId, { timeoutMs: 60_000 });
  const ackMs = Date.now() - sentAt;
  const caseId = String(ack?.headers.get('x-nachfass-case'));
  // Who decides first depends on the assessment (the example policy sends P1 straight to management).
  const state = await app.client.workflow.getHandle(workflowIdFor(caseId)).query(caseStateQuery);
  const supervisor = state.ladder[state.level]?.address ?? 'supervisor@example.test';
  const [request] = await waitForMail(
    supervisor,
    (m) => m.headers.get('x-nachfass-case') === caseId && /Freigabe/.test(m.subject ?? ''),
    { timeoutMs: 60_000 },
  );
  const ui = process.env.TEMPORAL_UI_URL ?? app.uiUrl ?? 'http://127.0.0.1:8233';
  console.log(`
Nachfass demo is running.

  A sample complaint from ${CUSTOMER} became case ${caseId}; its acknowledgment arrived after ${ackMs} ms.
  Policy: ${config.policyFile} (DEMO_POLICY=policy/demo.yaml runs reminders and escalation in minutes).

  Temporal Web UI    ${ui}/namespaces/${config.temporal.namespace}/workflows/complaint-${caseId}
                     ${app.codecUrl ? `(case payloads are encrypted; the UI decrypts them through ${app.codecUrl})` : '(case payloads are encrypted; set CODEC_PORT for the UI to show them)'}
  Approval link      ${decisionLink(request!)}
                     (opens a confirmation page for ${supervisor}; only the form decides)
  Link server        ${config.http.publicUrl}

  Mailboxes (IMAP 127.0.0.1:${config.mailbox.port}, any user @example.test, password "nachfass"):
    npm run mailbox -- ${CUSTOMER}          the customer: acknowledgment, later decision and follow-up
                     (the follow-up's 1–5 rating links open a page; a rating of 1 or 2 gives whoever decided a follow-up)
    npm run mailbox -- ${supervisor}   the approval request (${state.assessment.priority}: ${state.assessment.reasons.join('; ')})
    npm run mailbox -- ${config.mailbox.user} Processed   the archived complaint

  Decide from the CLI instead:  temporal workflow signal --workflow-id complaint-${caseId} --name decision \\
    --input '{"outcome":"approved","decidedBy":"${supervisor}","noteToCustomer":"Wir erstatten den Kaufpreis."}'

Ctrl-C stops the worker; \`bash scripts/stack.sh down\` stops Temporal, Dovecot and Postfix.
`);
  if (process.env.DEMO_EXIT === '1') stop();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error && (err.name === 'ConfigError' || err.name === 'PolicyError') ? err.message : err);
  process.exit(1);
});
