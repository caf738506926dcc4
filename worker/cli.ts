/**
 * The admin CLI. Commands that only read files touch no server.
 *   nachfass classify FILE.eml [--support ADDRESS]   intake's verdict and reasons, as JSON
 *   nachfass assess FILE.eml [--at ISO-TIME] [--policy FILE]   the policy's assessment and due times, as JSON
 *   nachfass preview [OUT_DIR] [--no-png] [--only REGEX]   every mail and page with sample data, to files
 *   nachfass preview --docs [OUT_DIR]   the README's screenshots of the approval page (default docs/)
 *   nachfass absent ADDRESS [--until ISO] [--reason TEXT]   (talks to Temporal) their waiting cases go to their deputy
 *   nachfass status [--json]   (talks to Temporal and IMAP, read-only) intake, open cases, overdue promises
 *   nachfass lists [--ui URL] [--at ISO]   the Web UI links of the daily lists, for now (list-queries.ts)
 *   nachfass reconcile | quarantine | replay   the mailbox commands (mailbox-commands.ts)
 */
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { classify } from '../activities/intake/classify.js';
import { detectLanguage } from '../activities/intake/language.js';
import { mailFacts } from '../activities/intake/mail-facts.js';
import { bareAddress, domainOf } from '../activities/address.js';
import { parseRaw, summarize } from '../activities/intake/parse.js';
import { dueAt, type DurationSpec } from '../workflows/rules/calendar.js';
import { planCase } from '../workflows/rules/case-plan.js';
import { PROJECT_ROOT } from './config.js';
import { loadPolicy, policySnapshot } from './policy.js';

const USAGE = `usage:
  nachfass classify FILE.eml [--support ADDRESS] [--language de|en]
  nachfass assess FILE.eml [--at ISO-TIME] [--policy FILE]
  nachfass preview [OUT_DIR] [--no-png] [--only REGEX]   (default OUT_DIR: preview/)
  nachfass preview --docs [OUT_DIR]   the README's approval-page PNGs (default OUT_DIR: docs/)
  nachfass absent ADDRESS [--until ISO] [--reason TEXT]   declares a staff member absent: every case waiting
    for them goes to their deputy (connects to Temporal with the worker's environment)
  nachfass status [--json]   per watched folder the intake's state and the mail waiting, open cases by status and
    priority, the most overdue promises, the cases waiting longest (read-only; the worker's environment)
  nachfass lists [--ui URL] [--at ISO-TIME] [--policy FILE]   the Web UI links of the lists an admin opens every
    day (waiting for management, overdue P1, low ratings this week), for now; touches no server
  nachfass reconcile [--since 7d] [--json]   proves every mail in the watched, processed, ignored and
    quarantine folders is accounted for; lists each problem and what to do (exit 1 when there is one)
  nachfass quarantine [--from FOLDER] [--json]   the set-aside mails with their reason codes
  nachfass replay UID... | --all [--from FOLDER]   sends them back through intake (after fixing the cause)`;

/** Renders every mail and page with sample data; prints where the files are. */
async function preview(dir: string | undefined, png: boolean, only: string | undefined, docs = false): Promise<number> {
  const { renderPreview, renderDocsPictures } = await import('./preview.js');
  if (docs) {
    for (const f of await renderDocsPictures(path.resolve(dir ?? path.join(PROJECT_ROOT, 'docs')))) console.log(f);
    return 0;
  }
  const out = path.resolve(dir ?? 'preview');
  const started = Date.now();
  const results = await renderPreview({ out, png, ...(only ? { only: new RegExp(only) } : {}) });
  const files = results.reduce((n, r) => n + r.files.length, 0);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `${results.length} mails and pages, ${files} files in ${out} (${seconds} s); open ${path.join(out, 'index.html')}`,
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    allowNegative: true,
    options: {
      support: { type: 'string' },
      language: { type: 'string' },
      policy: { type: 'string' },
      at: { type: 'string' },
      png: { type: 'boolean', default: true },
      only: { type: 'string' },
      docs: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
      until: { type: 'string' },
      reason: { type: 'string' },
      since: { type: 'string' },
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      from: { type: 'string' },
      ui: { type: 'string' },
    },
  });
  const [command, file] = positionals;
  if (command === 'preview' && !values.help) return preview(file, values.png, values.only, values.docs);
  if (command === 'status' && !values.help) {
    const { statusCommand } = await import('./status-command.js');
    return statusCommand({ json: values.json === true });
  }
  if (command === 'lists' && !values.help) {
    const { listsCommand } = await import('./lists-command.js');
    return listsCommand({ ui: values.ui, at: values.at, policy: values.policy });
  }
  if (command === 'absent' && file && !values.help) {
    const { absentCommand } = await import('./absent-command.js');
    return absentCommand(file, {
      ...(values.until ? { until: values.until } : {}),
      ...(values.reason ? { reason: values.reason } : {}),
    });
  }
  if (command && !values.help) {
    const { mailboxCommand } = await import('./mailbox-commands.js');
    const run = mailboxCommand(command, positionals.slice(1), values);
    if (run) return run;
  }
  if (values.help || !command || !file) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (command !== 'classify' && command !== 'assess') {
    console.error(`unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  const parsed = await parseRaw(readFileSync(file));
  const summary = summarize(parsed);
  const fallback = values.language === 'en' ? 'en' : 'de';
  const language = detectLanguage(summary.contentLanguage, `${summary.subject}\n${summary.text}`, fallback);

  if (command === 'classify') {
    const support = bareAddress(values.support ?? process.env.SUPPORT_ADDRESS ?? 'support@example.test');
    const verdict = classify(mailFacts(parsed), { ourDomain: domainOf(support), ourAddresses: [support] });
    const out = {
      file,
      ...verdict,
      language: language.language,
      languageReason: language.reason,
      from: summary.from?.address ?? null,
      subject: summary.subject,
      messageId: summary.messageId ?? null,
      attachments: summary.attachments,
      support,
    };
    console.log(JSON.stringify(out, null, 2));
    return 0;
  }
  return assessMail(file, summary, language.language, values);
}

/** `assess`: the case plan a mail would get (assessment, route, due times), as a running case computes it. */
function assessMail(
  file: string,
  summary: ReturnType<typeof summarize>,
  language: string,
  values: { policy?: string | undefined; at?: string | undefined },
): number {
  const policyFile = values.policy ?? process.env.POLICY_FILE ?? `${PROJECT_ROOT}/policy/example.yaml`;
  const policy = loadPolicy(policyFile);
  const at = values.at ? new Date(values.at) : (summary.date ?? new Date());
  if (Number.isNaN(at.getTime())) throw new Error(`--at ${values.at}: not an ISO time like 2026-11-27T17:00:00+01:00`);
  const snapshot = policySnapshot(policy, undefined, at);
  // The workflow's own plan, from the same snapshot and sender: the dry run cannot disagree with a case.
  const plan = planCase({ ...summary, ...(summary.from ? { customer: summary.from } : {}) }, snapshot);
  const { durations, calendar } = plan;
  const local = (ms: number): string => DateTime.fromMillis(ms, { zone: calendar.timeZone }).toISO() ?? '';
  const due = (d: DurationSpec): string => local(dueAt(at.getTime(), d, calendar));
  const times = {
    arrival: local(at.getTime()),
    promisedAnswer: due(durations.answerPromise),
    reminder: due(durations.reminderAfter),
    escalation: due(durations.escalateAfter),
    timeZone: calendar.timeZone,
  };
  const route = snapshot.ladder.slice(plan.firstLevel).map((a) => `${a.level}: ${a.name} (${a.role}) <${a.address}>`);
  console.log(JSON.stringify({ file, policy: policyFile, language, ...plan.assessment, route, times }, null, 2));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
