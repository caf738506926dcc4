/**
 * The README's benchmark table, from the newest run of each benchmark in bench/results/*.json: each figure on the
 * dev server and on PostgreSQL, beside its target (issue 15). Rewrites the part of README.md between the markers
 * `<!-- bench:start -->` and `<!-- bench:end -->`; prints the table too.
 *
 *   npx tsx bench/report.ts      (npm run bench runs it last)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../worker/config.js';
import { readRuns, type BenchRun } from './lib/results.js';

type TRow = Record<string, number | string>;
type TBackend = 'dev' | 'postgres';

/** The newest row of benchmark `name` for `backend` that `pick` accepts, with the run it came from. */
function newest(
  name: string,
  backend: TBackend,
  pick: (r: TRow) => boolean = () => true,
): { row: TRow; run: BenchRun } | undefined {
  const runs = readRuns(name);
  for (let i = runs.length - 1; i >= 0; i--) {
    const run = runs[i]!;
    const row = [...(run.rows ?? [])].reverse().find((r) => (r.backend ?? 'dev') === backend && pick(r));
    if (row) return { row, run };
  }
  return undefined;
}

type TFound = { row: TRow; run: BenchRun } | undefined;

/**
 * Of the runs at the commit of the newest matching row, the matching row with the most mails: "the largest run"
 * stays the largest measured of this release even when a smaller run followed it.
 */
function largest(name: string, backend: TBackend, pick: (r: TRow) => boolean): TFound {
  const last = newest(name, backend, pick);
  const rows = readRuns(name)
    .filter((run) => run.commit === last?.run.commit)
    .flatMap((run) => (run.rows ?? []).map((row) => ({ row, run })))
    .filter(({ row }) => (row.backend ?? 'dev') === backend && pick(row));
  return rows.reduce<TFound>((best, x) => (Number(x.row.mails) > Number(best?.row.mails) ? x : best), last);
}

const used = new Map<string, BenchRun>();
const s3 = (v: unknown): string =>
  typeof v === 'number' && Number.isFinite(v) ? `${Math.round(v * 1000) / 1000}` : '—';

interface Figure {
  what: string;
  target: string;
  cell: (b: TBackend) => string;
}

/** A cell from the row `find` picks (the newest matching one unless told): `show` formats it; "—" when none. */
function cell(
  name: string,
  pick: (r: TRow) => boolean,
  show: (r: TRow) => string,
  find: typeof largest = newest,
): (b: TBackend) => string {
  return (b) => {
    const found = find(name, b, pick);
    if (!found) return '—';
    used.set(`${name}@${found.run.at}`, found.run);
    return show(found.row);
  };
}

const idle = (r: TRow): boolean => String(r.mode).startsWith('IDLE');
const fast = (r: TRow): boolean => String(r.mode).startsWith('fast');
const size = (n: number) => (r: TRow) => r.mails === n;
/** A burst on a fresh worker: rows of BENCH_EARLIER runs (an earlier burst, then a quiet spell) are not the table's. */
const plain = (r: TRow): boolean => r.earlier === undefined;
const parked = (r: TRow): boolean => r.idleRssMinMb !== undefined;
const larger = (r: TRow): boolean => Number(r.mails) > 1000;
const ofParked = (show: (r: TRow) => string) => cell('backlog', parked, show, largest);

const figures: Figure[] = [
  {
    what: 'acknowledgment latency, sequential complaints, IDLE: p50 / p95 / p99 / max (s) (n)',
    target: 'p50 ≤ 0.60, p95 ≤ 0.75',
    cell: cell(
      'latency',
      idle,
      (r) => `${s3(r.oursP50)} / ${s3(r.oursP95)} / ${s3(r.oursP99)} / ${s3(r.oursMax)} (${r.complaints})`,
    ),
  },
  {
    what: 'floor pipeline in the same run, IDLE: p50 / p95 (s); ratio p50',
    target: 'ratio ≤ 1.2',
    cell: cell('latency', idle, (r) => `${s3(r.floorP50)} / ${s3(r.floorP95)}; **${s3(r.ratioP50)}×**`),
  },
  {
    what: 'fast mode (INTAKE_NOOP_EVERY=100ms): p50 / p95 (s); floor p50; ratio',
    target: 'p50 ≤ 0.15, p95 ≤ 0.25',
    cell: cell('latency', fast, (r) => `${s3(r.oursP50)} / ${s3(r.oursP95)}; ${s3(r.floorP50)}; ${s3(r.ratioP50)}×`),
  },
  {
    what: 'burst: complaints submitted at once → every acknowledgment stored: complaints/s',
    target: '≥ 20/s dev, ≥ 40/s PostgreSQL',
    cell: cell(
      'burst',
      plain,
      (r) => `**${s3(r.perSecond)}/s** (${r.complaints} in ${s3(r.lastAckS)} s; intake done ${s3(r.intakeDoneS)} s)`,
    ),
  },
  {
    what: "burst: workflow tasks over 1 s, by the cases' histories (by the SDK's histogram); doubles; cases per complaint",
    target: '0; 0; 1',
    cell: cell(
      'burst',
      plain,
      // The histories count from the server's WorkflowTaskStarted to its WorkflowTaskCompleted, the SDK only the
      // worker's part; rows from before the histories were read have only the SDK's.
      (r) =>
        `${r.caseTasksOver1s ?? '–'} of ${r.caseTasks ?? '–'} (${r.wfTasksOver1s} of ${r.wfTasks}); ${r.doubles}; ` +
        s3(Number(r.cases) / Number(r.complaints)),
    ),
  },
  {
    what: "burst: mean workflow task schedule-to-start / execution; send (local) activity; worker main thread's event-loop delay max / p99 (ms)",
    target: '',
    cell: cell(
      'burst',
      plain,
      (r) =>
        `${r.wfTaskSchedToStartMeanMs} / ${r.wfTaskExecMeanMs}; ${r.sendCaseMailLocalExecMeanMs ?? r.sendCaseMailExecMeanMs ?? '—'}; ` +
        `${r.mainLoopDelayMaxMs ?? '—'} / ${r.mainLoopDelayP99Ms ?? '—'}`,
    ),
  },
  {
    what: 'burst: CPU seconds used meanwhile: worker (its main thread) / Temporal server / Dovecot / Postfix',
    target: '',
    cell: cell('burst', plain, (r) =>
      r.cpuS_worker === undefined
        ? '—'
        : `${r.cpuS_worker} (${r.cpuS_thread_main}) / ${r.cpuS_temporal ?? '—'} / ${r.cpuS_dovecot} / ${r.cpuS_postfix}`,
    ),
  },
  {
    what: 'backlog 1,000 mails at start: drain (s), mails/s, peak RSS (MB)',
    target: '',
    cell: cell('backlog', size(1000), (r) => `${s3(r.drainS)}, ${s3(r.perSecond)}/s, ${r.peakRssMb}`),
  },
  {
    what: 'backlog, the larger run (10,000 with BENCH_FULL=1): mails, drain (s), mails/s, peak RSS (MB)',
    target: 'peak RSS within 10 % of 1,000',
    cell: cell('backlog', larger, (r) => `${r.mails}: ${s3(r.drainS)}, ${s3(r.perSecond)}/s, ${r.peakRssMb}`, largest),
  },
  {
    what: 'parked cases (the largest run): worker RSS idle min–max (MB; first → last of the 30 s), CPU idle (%), server RSS (MB)',
    target: '≤ 400 MB and flat',
    cell: ofParked(
      (r) =>
        `${r.mails} cases: ${r.idleRssMinMb}–${r.idleRssMaxMb}${r.idleRssFirstMb === undefined ? '' : ` (${r.idleRssFirstMb} → ${r.idleRssLastMb})`}, ${s3(r.idleCpuPercent)} %, ${r.serverRssMb}`,
    ),
  },
  {
    what: 'parked cases (the largest run): decision POST → decision in the customer Maildir, p50 / p95 / max (s)',
    target: 'p50 ≤ 1',
    cell: ofParked((r) => `${s3(r.decisionToMailP50)} / ${s3(r.decisionToMailP95)} / ${s3(r.decisionToMailMax)}`),
  },
  {
    what: 'start-up (npm start, prebuilt bundle): spawn → /readyz 200; → first complaint acknowledged (s, p50 and max of the runs)',
    target: 'ready ≤ 2',
    cell: cell(
      'startup',
      (r) => String(r.scenario).startsWith('start-up: compiled, prebuilt'),
      (r) => `${s3(r.readyP50S)} (max ${s3(r.readyMaxS)}); ${s3(r.ackP50S)} (max ${s3(r.ackMaxS)})`,
    ),
  },
  {
    what: 'crash: SIGKILL + restart at once → /readyz 200; → a new complaint acknowledged (s, p50 and max of the runs)',
    target: 'answers within 3',
    cell: cell(
      'startup',
      (r) => String(r.scenario).startsWith('crash: SIGKILL'),
      (r) => `${s3(r.readyP50S)} (max ${s3(r.readyMaxS)}); ${s3(r.ackP50S)} (max ${s3(r.ackMaxS)})`,
    ),
  },
];

const lines = [
  '| figure | dev server | PostgreSQL | target |',
  '|---|---|---|---|',
  ...figures.map((f) => `| ${f.what} | ${f.cell('dev')} | ${f.cell('postgres')} | ${f.target} |`),
];
const sources = [...new Set([...used.values()].map((r) => `${r.commit} on ${r.machine}`))];
const table = [...lines, '', `Measured at ${sources.join('; ') || '—'} (bench/results/*.json).`].join('\n');
console.log(table);

const readme = path.join(PROJECT_ROOT, 'README.md');
const text = readFileSync(readme, 'utf8');
const start = '<!-- bench:start -->';
const end = '<!-- bench:end -->';
const a = text.indexOf(start);
const b = text.indexOf(end);
if (a < 0 || b < a) {
  console.error(`README.md has no ${start} … ${end} section: table printed only`);
} else {
  writeFileSync(readme, `${text.slice(0, a + start.length)}\n${table}\n${text.slice(b)}`);
  console.log('README.md: benchmark table updated');
}
