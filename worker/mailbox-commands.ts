/**
 * The admin's mailbox commands, configured from the worker's environment (IMAP_*, TEMPORAL_*, LINK_SECRET, …):
 *   nachfass reconcile [--since 7d] [--json]   proof that every mail is accounted for (activities/reconcile/)
 *   nachfass quarantine [--from FOLDER]        the set-aside mails with their reason codes
 *   nachfass replay UID… | --all [--from FOLDER]   back through intake, once the cause is fixed
 * `reconcile` reads Temporal visibility and needs TEMPORAL_ADDRESS; the other two only talk IMAP.
 */
import { classifyContextFor } from '../activities/intake/case-gateway.js';
import { formatReport } from '../activities/reconcile/account.js';
import { listQuarantine, replay } from '../activities/reconcile/quarantine.js';
import { reconcileMailbox } from '../activities/reconcile/scan.js';
import { loadConfig, type TConfig } from './config.js';
import { ZDuration } from './config-values.js';
import { mailboxesOf } from './intakes.js';
import { loadPolicy } from './policy.js';
import { withTemporalClient } from './temporal-session.js';

export interface MailboxCommandOptions {
  since?: string | undefined;
  json?: boolean | undefined;
  all?: boolean | undefined;
  from?: string | undefined;
}

function setup(env: NodeJS.ProcessEnv): { config: TConfig; boxes: ReturnType<typeof mailboxesOf> } {
  const config = loadConfig(env);
  return { config, boxes: mailboxesOf(config, loadPolicy(config.policyFile)) };
}

async function reconcileCommand(o: MailboxCommandOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const { config, boxes } = setup(env);
  if (!config.temporal.address) {
    console.error('nachfass reconcile needs TEMPORAL_ADDRESS: the server whose cases it checks the mailbox against');
    return 2;
  }
  const since = ZDuration.safeParse(o.since ?? '7d');
  if (!since.success) {
    console.error(`--since: "${o.since}" is not a duration like 90m, 24h or 7d`);
    return 2;
  }
  const sinceMs = since.data;
  return withTemporalClient(config, async (client) => {
    const report = await reconcileMailbox(
      {
        client,
        taskQueue: config.temporal.taskQueue,
        boxes,
        classifyContext: classifyContextFor(config.supportAddress, [config.linkSecret, ...config.previousLinkSecrets])(
          boxes[0]!,
        ),
      },
      { sinceMs },
    );
    console.log(o.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.counts.problems === 0 ? 0 : 1;
  });
}

async function quarantineCommand(o: MailboxCommandOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const { boxes } = setup(env);
  const mails = await listQuarantine(boxes[0]!, o.from);
  if (o.json) console.log(JSON.stringify(mails, null, 2));
  else {
    console.log(`${mails.length} mail${mails.length === 1 ? '' : 's'} in ${o.from ?? boxes[0]!.quarantineFolder}`);
    for (const m of mails) {
      const codes = m.codes.length ? m.codes.join(',') : 'no code (put there by hand?)';
      const replayed = m.replayed ? ', replayed before' : '';
      console.log(
        `  UID ${m.uid}  ${m.storedAt}  [${codes}]  ${m.attempts} attempts${replayed}  ${m.from}  "${m.subject}"`,
      );
    }
  }
  return 0;
}

async function replayCommand(uids: string[], o: MailboxCommandOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const numbers = uids.map(Number);
  if ((!o.all && numbers.length === 0) || numbers.some((n) => !Number.isInteger(n) || n <= 0)) {
    console.error('nachfass replay needs UIDs (as `nachfass quarantine` lists them) or --all');
    return 2;
  }
  const { boxes } = setup(env);
  const box = boxes[0]!;
  const r = await replay(box, o.all ? 'all' : numbers, o.from);
  console.log(
    `${r.replayed.length} mail${r.replayed.length === 1 ? '' : 's'} moved back to ${box.folder} for intake` +
      (r.replayed.length ? ` (UID ${r.replayed.join(', ')})` : '') +
      (r.missing.length ? `; not in ${o.from ?? box.quarantineFolder}: UID ${r.missing.join(', ')}` : ''),
  );
  return r.missing.length ? 1 : 0;
}

/** Runs `command` if it is one of these; undefined when it is not. */
export function mailboxCommand(
  command: string,
  args: string[],
  o: MailboxCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> | undefined {
  if (command === 'reconcile') return reconcileCommand(o, env);
  if (command === 'quarantine') return quarantineCommand(o, env);
  if (command === 'replay') return replayCommand(args, o, env);
  return undefined;
}
