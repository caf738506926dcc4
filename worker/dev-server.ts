/**
 * The embedded Temporal dev server (`temporal server start-dev`): used by the worker when TEMPORAL_ADDRESS
 * is unset, and by the test run's global setup. The CLI comes from TEMPORAL_CLI, PATH, or Go's bin folder
 * (scripts/provision.sh builds it there); it is never downloaded at run time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from './config.js';
import { ProcessOutput } from './process-output.js';

export interface DevServerOptions {
  port: number;
  uiPort: number;
  /** SQLite file; undefined keeps state in memory. */
  dbFile?: string;
  namespace?: string;
  /** The Web UI's codec endpoint (our codec server), so the UI shows sealed payloads in plain. */
  codecEndpoint?: string;
  /** Told of each failed try that is tried again (the worker logs it), with the CLI's line that says why. */
  onRetry?: (reason: string, attempt: number, of: number) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  /** The server process (benchmarks read its memory). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** The types the `temporal` CLI takes in `--search-attribute Name=Type`. */
const SEARCH_ATTRIBUTE_TYPES = new Set(['Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList']);

/** What is wrong with a line of a search-attribute list, if anything. */
function searchAttributeProblem(line: string, names: ReadonlySet<string>): string | undefined {
  const [, name, type] = /^([A-Za-z][A-Za-z0-9_]*)=(\w+)$/.exec(line) ?? [];
  if (!name || !type) return 'is not Name=Type';
  if (!SEARCH_ATTRIBUTE_TYPES.has(type))
    return `has the type ${type}, not one of ${[...SEARCH_ATTRIBUTE_TYPES].join(', ')}`;
  if (names.has(name)) return `names ${name} a second time`;
  return undefined;
}

/**
 * The `Name=Type` lines of a search-attribute list, blank lines and `#` comments left out. Any other line, an
 * unknown type or a name given twice is an error naming the file and the line: the dev server never starts with
 * a list read in part.
 */
export function parseSearchAttributes(text: string, file: string): string[] {
  const lines: string[] = [];
  const names = new Set<string>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const problem = searchAttributeProblem(line, names);
    if (problem) throw new Error(`${file}:${i + 1}: "${line}" ${problem}`);
    names.add(line.slice(0, line.indexOf('=')));
    lines.push(line);
  }
  return lines;
}

/** stack/search-attributes.txt as CLI arguments: the one list the shell scripts and the worker share. */
export function searchAttributeArgs(): string[] {
  const file = path.join(PROJECT_ROOT, 'stack', 'search-attributes.txt');
  return parseSearchAttributes(readFileSync(file, 'utf8'), file).flatMap((l) => ['--search-attribute', l]);
}

/**
 * The `temporal` binary for the worker's embedded dev server. Kept deliberately beside `find_temporal` in
 * scripts/stack/common.sh: scripts/provision.sh needs that one before `npm ci`, when no TypeScript can run.
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    env.TEMPORAL_CLI,
    ...(env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'temporal')),
    path.join(env.GOPATH ?? path.join(os.homedir(), 'go'), 'bin', 'temporal'),
  ];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) {
    throw new Error(
      'The Temporal CLI was not found (TEMPORAL_CLI, PATH, ~/go/bin). Run scripts/provision.sh, which builds it with ' +
        '`go install github.com/temporalio/cli/cmd/temporal@v1.5.1`, or set TEMPORAL_ADDRESS to use a running server.',
    );
  }
  return found;
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * The `temporal` CLI's arguments for a dev server: the one place its flags are spelled out. startDevServer uses it,
 * and so does scripts/stack.sh (through scripts/stack/temporal-args.ts), which adds its own --ui-ip.
 */
export function devServerArgs(opts: DevServerOptions & { ip?: string }): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    opts.ip ?? '127.0.0.1',
    '--port',
    String(opts.port),
    ...(opts.ip ? ['--ui-ip', opts.ip] : []),
    '--ui-port',
    String(opts.uiPort),
    ...(opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : []),
    '--namespace',
    opts.namespace ?? 'default',
    '--log-level',
    'warn',
    // WAL: writes stop blocking reads in the SQLite store, which roughly doubled its throughput when measured.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    ...searchAttributeArgs(),
  ];
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  return args;
}

/** Start-up tries when a port is in use: the CLI picks its HTTP, metrics and cluster ports itself, at random. */
const START_TRIES = 3;

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  if (opts.dbFile) mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  for (let attempt = 1; ; attempt++) {
    if (await portOpen(opts.port)) throw new Error(`port ${opts.port} is taken: is another Temporal server running?`);
    const started = await startOnce(opts);
    if (!(started instanceof Error)) return started;
    // Another process took one of the ports the CLI had picked (Go: "bind: address already in use"): new ones.
    if (attempt >= START_TRIES || !/address already in use/.test(started.message)) throw started;
    const reason = started.message.split('\n').find((l) => l.includes('address already in use')) ?? started.message;
    opts.onRetry?.(reason.trim(), attempt + 1, START_TRIES);
  }
}

async function startOnce(opts: DevServerOptions): Promise<DevServer | Error> {
  const args = devServerArgs(opts);
  // Both streams are kept (their first and last 2 KB): the CLI reports some start-up failures, e.g. a port in use,
  // on stdout, and a Go panic names its cause at the top of a long stack.
  const child: ChildProcess = spawn(findTemporalCli(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = new ProcessOutput();
  child.stdout?.on('data', output.add);
  child.stderr?.on('data', output.add);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!(await portOpen(opts.port))) {
    if (child.exitCode !== null) return new Error(`temporal dev server exited (${child.exitCode}): ${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      return new Error(`temporal dev server did not listen on ${opts.port} within 30 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: `http://127.0.0.1:${opts.uiPort}`,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
