/**
 * /metrics scraped by a real Prometheus (Debian's package, started here on a loopback port with a scrape config
 * written here): the worker process (`npm start`'s entry point) runs a whole case, from the complaint to the
 * decision mail, and Prometheus's HTTP API then returns our counters and the Temporal SDK's runtime metrics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { prometheusMissing, startPrometheus } from '../../scripts/lib/prometheus.js';
import { testEnv, testPeople, testPolicyYaml } from '../helpers/app.js';
import { sendViaSmtp, waitForMail } from '../helpers/mail.js';
import { freePort } from '../helpers/ports.js';
import { approveAsAdmin } from '../helpers/admin-client.js';
import { eventually } from '../helpers/eventually.js';

const children: ChildProcess[] = [];
const stops: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const stop of stops) await stop();
  for (const c of children) {
    if (c.exitCode !== null) continue;
    c.kill('SIGTERM');
    await new Promise((r) => c.once('exit', r));
  }
});

interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query against Prometheus's HTTP API. */
async function query(prom: string, promql: string): Promise<PromSample[]> {
  const res = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data: { result: PromSample[] } };
  if (body.status !== 'success') throw new Error(`${promql}: ${JSON.stringify(body)}`);
  return body.data.result;
}

describe('metrics', () => {
  it('are scraped by Prometheus through a case: ours by kind and verdict, the SDK runtime metrics and every dashboard query', async () => {
    const missing = prometheusMissing();
    if (missing) throw new Error(missing);

    const people = testPeople();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nachfass-metrics-'));
    const policyFile = path.join(dir, 'policy.yaml');
    writeFileSync(policyFile, testPolicyYaml(people));
    const metricsPort = await freePort();
    const env = await testEnv(people, { POLICY_FILE: policyFile, METRICS_PORT: String(metricsPort) });
    const worker = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker/main.ts')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(worker);
    let log = '';
    worker.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (log += d.toString()));

    // A real Prometheus scraping the worker every second from before the case, so that rates see it happen.
    const prometheus = await startPrometheus([`127.0.0.1:${metricsPort}`], 1);
    stops.push(prometheus.stop);
    const prom = prometheus.url;

    // The worker from the sources bundles its workflows at start: on a loaded machine that alone takes a while.
    await eventually(
      () => `the worker's metrics server (log: ${log.slice(-2000)})`,
      async () => (log.includes('metrics (Prometheus) on') ? true : undefined),
      { timeoutMs: 180_000 },
    );
    await eventually(
      () => `the worker scraped (log: ${log.slice(-2000)})`,
      async () => ((await query(prom, 'up{job="nachfass"} == 1')).length ? true : undefined),
    );

    // A whole case: complaint, acknowledgment, approval request, decision (by the `decide` update), decision mail.
    const messageId = `<metrics-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    await sendViaSmtp({ from: people.customer, to: people.support, subject: 'Metriken', text: 'Hallo', messageId });
    const [ack] = await waitForMail(people.customer, (m) => m.inReplyTo === messageId, { timeoutMs: 120_000 }).catch(
      (err: unknown) => {
        throw new Error(`${String(err)}\nworker log:\n${log.slice(-3000)}`);
      },
    );
    const caseId = String(ack!.headers.get('x-nachfass-case'));
    await waitForMail(people.supervisor, (m) => /Freigabe erbeten/.test(m.subject ?? ''));
    await approveAsAdmin(env.PAYLOAD_KEY!, caseId, people.supervisor);
    await waitForMail(people.customer, (m) => m.headers.get('x-nachfass-case') === caseId, { count: 2 });

    // Our endpoint, in Prometheus text format, before Prometheus reads it.
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toContain('# TYPE nachfass_acknowledgments_sent_total counter');
    expect(text).toMatch(/^temporal_\w+/m);
    expect(text).not.toContain(people.customer);

    // Prometheus holds what its last successful scrape saw: under load a scrape can time out, so a value that is
    // not yet what the case made is asked again until it is (or the wait ends, and the assertion shows the last).
    const value = async (promql: string, want?: number): Promise<number> => {
      let last: number | undefined;
      return eventually(`${promql} in Prometheus (last ${String(last)})`, async () => {
        const [first] = await query(prom, promql);
        last = first ? Number(first.value[1]) : undefined;
        return last !== undefined && (want === undefined || last === want) ? last : undefined;
      }).catch((err: unknown) => {
        if (want === undefined) throw err;
        return last ?? NaN;
      });
    };
    expect(await value('up{job="nachfass"} == 1', 1)).toBe(1);
    expect(await value('sum(nachfass_acknowledgments_sent_total)', 1)).toBe(1);
    expect(await value('sum(nachfass_mails_sent_total{kind="approval-request",to="staff"})', 1)).toBe(1);
    expect(await value('sum(nachfass_mails_sent_total{kind="decision",to="customer"})', 1)).toBe(1);
    expect(await value('sum(nachfass_decisions_total{channel="admin",outcome="approved"})', 1)).toBe(1);
    expect(
      await value(`sum(nachfass_mails_taken_in_total{verdict="complaint",mailbox="${people.support}/INBOX"})`, 1),
    ).toBe(1);
    expect(await value('sum(nachfass_acknowledgment_latency_seconds_count)', 1)).toBe(1);
    expect(await value(`nachfass_intake_session_live{mailbox="${people.support}/INBOX"}`, 1)).toBe(1);
    expect(
      await value(`nachfass_intake_seconds_since_last_pass{mailbox="${people.support}/INBOX"}`),
    ).toBeGreaterThanOrEqual(0);
    expect(await value(`nachfass_intake_messages_waiting{mailbox="${people.support}/INBOX"}`, 0)).toBe(0);
    // The adaptive workflow task limit (worker/task-slots.ts): at least its start of 1, at most the setting (12).
    const limit = await value('nachfass_workflow_task_limit');
    expect(limit).toBeGreaterThanOrEqual(1);
    expect(limit).toBeLessThanOrEqual(12);
    expect(await value('nachfass_workflow_tasks_running')).toBeGreaterThanOrEqual(0);
    // prom-client's process metrics beside ours (worker/metrics.ts): the worker's memory and CPU, and how late the
    // main thread's timers fire.
    expect(await value('process_resident_memory_bytes{job="nachfass"}')).toBeGreaterThan(50 * 1024 * 1024);
    expect(await value('process_cpu_seconds_total{job="nachfass"}')).toBeGreaterThan(0);
    expect(await value('nodejs_eventloop_lag_max_seconds{job="nachfass"}')).toBeGreaterThan(0);
    // The SDK's own: its workers ran the cases' mail (local activities, in the cases' workflow tasks).
    expect(await value('sum(temporal_local_activity_execution_latency_seconds_count)')).toBeGreaterThan(0);
    expect(await value('sum(temporal_workflow_task_execution_latency_seconds_count)')).toBeGreaterThan(0);
    // A send's parts: the SMTP submission and the Sent ledger's claim and flag, for every mail that went out.
    const smtpSends = await value('sum(nachfass_mail_send_seconds_count{part="smtp"})');
    expect(smtpSends).toBeGreaterThanOrEqual(await value('sum(nachfass_mails_sent_total)'));
    const parts =
      'sum(nachfass_mail_send_seconds_count{part="ledger"}) - sum(nachfass_mail_send_seconds_count{part="smtp"})';
    expect(await value(parts, 0)).toBe(0);
    // The label values Prometheus stored name kinds and mailboxes, never the customer.
    // The first case may have ended with its survey window; a second one stays open, waiting for a decision.
    const second = `<metrics-open-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    await sendViaSmtp({
      from: people.customer,
      to: people.support,
      subject: 'Noch offen',
      text: 'Hallo',
      messageId: second,
    });
    await waitForMail(people.customer, (m) => m.inReplyTo === second);
    // From visibility, cached 30 s: an earlier listing shows the open case half a minute later at most.
    const open = await value('sum(nachfass_open_cases)').catch(async (err: unknown) => {
      const now = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      throw new Error(
        `${String(err)}\n${now
          .split('\n')
          .filter((l) => l.includes('_cases'))
          .join('\n')}`,
      );
    });
    expect(open).toBeGreaterThanOrEqual(1);
    expect(await value('nachfass_overdue_cases', 0)).toBe(0);
    const labels = (await (await fetch(`${prom}/api/v1/label/__name__/values`)).json()) as { data: string[] };
    expect(labels.data).toContain('nachfass_smtp_failures_total');
    expect(JSON.stringify(await query(prom, '{job="nachfass"}'))).not.toContain(people.customer);
    expect(log).toContain('metrics (Prometheus) on');

    // Every query of the Grafana dashboard (docker/grafana/dashboards/nachfass.json) is valid PromQL and returns
    // data from this Prometheus after the case.
    const dashboard = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'docker/grafana/dashboards/nachfass.json'), 'utf8'),
    ) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));
    expect(exprs.length).toBeGreaterThanOrEqual(15);
    for (const { panel, expr } of exprs) {
      const result = await eventually(`dashboard panel "${panel}": ${expr}`, async () => {
        const r = await query(prom, expr);
        return r.length > 0 && r.every((x) => Number.isFinite(Number(x.value[1]))) ? r : undefined;
      });
      expect(result.length, panel).toBeGreaterThan(0);
    }
  });
});
