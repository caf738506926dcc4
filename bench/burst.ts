/**
 * Burst: N complaints (default 1000) submitted at once over ten SMTP connections, each from its own customer, timed
 * until every acknowledgment is stored in its customer's Maildir. Checks that every customer got exactly one
 * acknowledgment and that there is one case per complaint (Temporal visibility). Where the time goes: when intake
 * had moved the last mail to Processed, and the SDK's own histograms from the worker's /metrics (workflow tasks:
 * schedule-to-start and execution; activities and local activities by type), plus the count of workflow tasks over 1 s,
 * and the CPU seconds each part of the machine used meanwhile (bench/lib/cpu.ts): the worker (and its main thread), the
 * Temporal server, Dovecot, Postfix and the benchmark itself.
 *
 * With BENCH_PICTURE=<file.png>, a real Prometheus scrapes the worker every 2 s through the burst, and the Grafana
 * dashboard's panels are drawn from it afterwards (scripts/lib/dashboard-picture.ts): the README's picture. Such a
 * run is not recorded in bench/results (Prometheus shares the cores).
 *
 *   npx tsx bench/burst.ts [N]        (npm run build first; BENCH_BACKEND=postgres for the PostgreSQL server;
 *                                     BENCH_EARLIER=300:90 runs 300 first, then idles 90 s: bench/lib/earlier-burst.ts)
 */
import { Client, Connection } from '@temporalio/client';
import { dashboardPicture } from '../scripts/lib/dashboard-picture.js';
import { withImap } from '../scripts/lib/dev-mail.js';
import { startPrometheus, type RunningPrometheus } from '../scripts/lib/prometheus.js';
import { calibrationMs } from './lib/calibrate.js';
import { cpuSampler } from './lib/cpu.js';
import { repliesTo, storedMails } from './lib/maildir.js';
import { histogram, labelValues, scrape, total } from './lib/prom.js';
import { earlierBurst } from './lib/earlier-burst.js';
import { recordRun, round3, spread } from './lib/results.js';
import { slowTasks } from './lib/slow-tasks.js';
import {
  backendKind,
  benchPolicyFile,
  complaintMail,
  customerSmtp,
  processUsage,
  startBackend,
  startMail,
  startWorker,
  tagOf,
} from './lib/setup.js';

const n = Number(process.argv[2] ?? 1000) || 1000;
const LIMIT_MS = 15 * 60_000;

const backend = await startBackend(backendKind());
const mail = await startMail();
const tag = tagOf();
const support = `support-${tag}@example.test`;
const taskQueue = `burst-${tag}`;
const rows: Array<Record<string, number | string>> = [];
try {
  const worker = await startWorker({ backend, mail, support, taskQueue, policyFile: benchPolicyFile(tag) });
  const smtp = customerSmtp(mail, true);
  const picture = process.env.BENCH_PICTURE;
  const prometheus: RunningPrometheus | undefined = picture
    ? await startPrometheus([new URL(worker.metricsUrl!).host], 2)
    : undefined;
  if (prometheus) await new Promise((r) => setTimeout(r, 30_000)); // a baseline before the burst
  await earlierBurst(smtp, mail, support, tag);
  const mails = Array.from({ length: n }, (_, i) => {
    const customer = `kunde${i}-${tag}@example.test`;
    return { customer, ...complaintMail(i, customer, support, tag) };
  });
  // A scrape resets the main thread's event-loop delay figures (prom-client): the next one reads the burst's.
  await scrape(worker.metricsUrl!);
  const calibrationBefore = calibrationMs();
  const t0 = Date.now();
  const cpu = cpuSampler({ worker: worker.w.child.pid, temporal: backend.pid, bench: process.pid }, worker.w.child.pid);
  // Sampled four times a second (also while the burst is submitted), for the timeline of the run's first seconds.
  const sampling = setInterval(() => cpu.sample(), 250);
  try {
    await Promise.all(mails.map((m) => smtp.sendMail({ envelope: { from: m.customer, to: support }, raw: m.raw })));
    const submittedS = (Date.now() - t0) / 1000;
    // Until every customer has an acknowledgment; meanwhile, when intake emptied the folder into Processed.
    let intakeDoneS: number | undefined;
    let peakRssMb = 0;
    const pending = new Set(mails.map((_, i) => i));
    const ackAt = new Map<number, number>();
    while (pending.size > 0) {
      if (Date.now() - t0 > LIMIT_MS) throw new Error(`${pending.size} of ${n} not acknowledged after ${LIMIT_MS} ms`);
      for (const i of [...pending]) {
        const [r] = repliesTo(mail.dir, mails[i]!.customer, mails[i]!.id);
        if (r) {
          ackAt.set(i, r.at);
          pending.delete(i);
        }
      }
      peakRssMb = Math.max(peakRssMb, processUsage(worker.w.child.pid)?.rssMb ?? 0);
      if (intakeDoneS === undefined) {
        const processed = await withImap(
          support,
          (c) => c.status('Processed', { messages: true }),
          mail.ports.imap,
        ).catch(() => undefined);
        if (processed && (processed.messages ?? 0) >= n) intakeDoneS = (Date.now() - t0) / 1000;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const lastS = (Math.max(...ackAt.values()) - t0) / 1000;
    clearInterval(sampling);
    cpu.sample();
    const doubles = mails.filter((m) => storedMails(mail.dir, m.customer).length > 1).length;
    const connection = await Connection.connect({ address: backend.address });
    const client = new Client({ connection });
    // This burst's cases (BENCH_EARLIER's started before it).
    const ofRun = `WorkflowType = 'ComplaintWorkflow' AND TaskQueue = '${taskQueue}' AND StartTime >= '${new Date(t0).toISOString()}'`;
    const cases = (await client.workflow.count(ofRun)).count;
    const slow = await slowTasks(client, ofRun, t0, 1000);
    console.log(
      `the first workflow tasks (s from the first submission:ms taken+ms the case waited for it): ${slow.first.join(' ')}`,
    );
    console.log(`CPU, % of one core, in the first seconds:\n  ${cpu.timeline(500, 8_000).join('\n  ')}`);
    await connection.close();
    const m = await scrape(worker.metricsUrl!);
    const wfSched = histogram(m, 'temporal_workflow_task_schedule_to_start_latency_seconds', {}, 1);
    const wfExec = histogram(m, 'temporal_workflow_task_execution_latency_seconds', {}, 1);
    const activities = Object.fromEntries([
      ...labelValues(m, 'temporal_activity_execution_latency_seconds_count', 'activity_type').flatMap((type) => {
        const e = histogram(m, 'temporal_activity_execution_latency_seconds', { activity_type: type });
        const s = histogram(m, 'temporal_activity_schedule_to_start_latency_seconds', { activity_type: type });
        return [
          [`${type}ExecMeanMs`, Math.round(e.mean * 1000)],
          [`${type}SchedToStartMeanMs`, Math.round(s.mean * 1000)],
          [`${type}Count`, e.count],
        ];
      }),
      // Case mail goes out by local activity, inside the case's workflow task (workflows/complaint/runtime.ts).
      ...labelValues(m, 'temporal_local_activity_execution_latency_seconds_count', 'activity_type').flatMap((type) => {
        const e = histogram(m, 'temporal_local_activity_execution_latency_seconds', { activity_type: type });
        return [
          [`${type}LocalExecMeanMs`, Math.round(e.mean * 1000)],
          [`${type}LocalCount`, e.count],
        ];
      }),
    ]);
    // Where a send's time goes (activities/mail-metrics.ts): the SMTP submission, the Sent ledger's claim and flag.
    const sendParts = Object.fromEntries(
      ['smtp', 'ledger'].flatMap((part) => {
        const h = histogram(m, 'nachfass_mail_send_seconds', { part }, 1);
        return [
          [`send_${part}MeanMs`, Math.round(h.mean * 1000)],
          [`send_${part}Over1s`, h.above ?? 0],
        ];
      }),
    );
    const row = {
      backend: backend.kind,
      // An earlier burst and a quiet spell before this one (its SDK histograms then count both).
      ...(process.env.BENCH_EARLIER ? { earlier: process.env.BENCH_EARLIER } : {}),
      complaints: n,
      submittedS: round3(submittedS),
      intakeDoneS: intakeDoneS ?? -1,
      lastAckS: round3(lastS),
      perSecond: round3(n / lastS),
      ...spread('ackLatency', mails.map((mm, i) => (ackAt.get(i)! - t0) / 1000).filter(Number.isFinite)),
      doubles,
      cases,
      workerPeakRssMb: peakRssMb,
      serverRssMb: processUsage(backend.pid)?.rssMb ?? -1,
      wfTaskSchedToStartMeanMs: Math.round(wfSched.mean * 1000),
      wfTaskExecMeanMs: Math.round(wfExec.mean * 1000),
      wfTasks: wfExec.count,
      wfTasksOver1s: wfExec.above ?? -1,
      // The same from the cases' histories (server side), and when in the run those tasks started.
      caseTasks: slow.tasks,
      caseTasksOver1s: slow.slow,
      caseTaskMaxMs: slow.maxMs,
      caseTasksOver1sAtS: slow.startedAtS.join(' '),
      tmprl1104: worker.w.lines.filter((l) => l.includes('TMPRL1104')).length,
      // How fast the machine was before the burst and after it (bench/lib/calibrate.ts; lower is faster).
      calibrationMs: `${calibrationBefore} / ${calibrationMs()}`,
      // How late the worker main thread's timers fired, from the submission to the last acknowledgment.
      mainLoopDelayMaxMs: Math.round(total(m, 'nodejs_eventloop_lag_max_seconds') * 1000),
      mainLoopDelayP99Ms: Math.round(total(m, 'nodejs_eventloop_lag_p99_seconds') * 1000),
      ...activities,
      ...sendParts,
      ...cpu.report(),
    };
    console.log(JSON.stringify(row));
    // A patched worker's own timing lines (PROF…), and the run's start to read them against.
    if (process.env.BENCH_DEBUG)
      console.log([`T0 ${t0}`, ...worker.w.lines.filter((l) => l.includes('PROF'))].join('\n'));
    rows.push(row);
    if (prometheus && picture) {
      await new Promise((r) => setTimeout(r, 30_000)); // the settled state after it, and one more scrape
      await dashboardPicture(prometheus.url, picture, Math.floor(t0 / 1000) - 30, Math.ceil(Date.now() / 1000));
      console.log(`dashboard picture: ${picture}`);
    }
  } finally {
    clearInterval(sampling);
    await prometheus?.stop();
    smtp.close();
    await worker.stop();
  }
} finally {
  await mail.destroy();
  await backend.stop();
}
// A picture run is not a measurement: Prometheus scraped beside the worker, and the waits around the burst.
if (!process.env.BENCH_PICTURE)
  recordRun(
    'burst',
    `complaints submitted at once -> every acknowledgment stored (seconds from the first submission)`,
    rows,
  );
