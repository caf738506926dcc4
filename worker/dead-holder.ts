/**
 * Crash recovery of the intake: a worker that starts on a host where the mailbox is still held by a process that
 * is gone (killed, crashed, its container restarted) ends that process's watcher attempt at once, instead of
 * waiting out INTAKE_HEARTBEAT_TIMEOUT (30 s by default) before the server hands the mailbox on.
 *
 * Only what is certain is ended: an attempt started by a worker whose identity is the SDK's default
 * (`<pid>@<host>`) on this very host, whose process no longer runs, or which is this process's own identity (a
 * container restarted keeps its host name and pid 1) from before this process started. A holder on another host
 * is left to the heartbeat timeout: from here it cannot be told apart from a live one that is slow.
 */
import os from 'node:os';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
// A CommonJS module: under plain Node (npm start) only its default export can be imported by name-less ESM.
import proto from '@temporalio/proto';
import { timestampMs } from '../activities/timestamps.js';

/** The retry of the ended attempt comes this soon (the intake's retry policy would wait 1 s). */
const RETRY_AFTER = '50ms';

export interface Holder {
  identity: string | undefined;
  /** When the holding attempt started (ms since the epoch). */
  startedAt: number | undefined;
}

export interface Here {
  host: string;
  pid: number;
  /** When this process started (ms since the epoch). */
  startedAt: number;
  /** Whether a process with this id runs on this host. */
  alive(pid: number): boolean;
}

/** Why `holder` is certainly gone, or undefined when it may still run. */
export function goneBecause(holder: Holder, here: Here): string | undefined {
  const m = /^(\d+)@(.+)$/.exec(holder.identity ?? '');
  if (!m || m[2] !== here.host) return undefined;
  const pid = Number(m[1]);
  if (pid === here.pid)
    return holder.startedAt !== undefined && holder.startedAt < here.startedAt
      ? `its attempt started before this process (${holder.identity}, the same identity) did: a restart`
      : undefined;
  return here.alive(pid) ? undefined : `process ${pid} on ${here.host} is not running`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const thisProcess = (): Here => ({
  host: os.hostname(),
  pid: process.pid,
  startedAt: Date.now() - process.uptime() * 1000,
  alive,
});

/**
 * Ends the watcher attempt of each intake whose holder is certainly gone; returns a line per attempt ended.
 * Failures to look are not fatal: the heartbeat timeout still hands the mailbox on.
 */
export async function endDeadHolders(client: Client, intakeIds: string[], here = thisProcess()): Promise<string[]> {
  const ended: string[] = [];
  for (const workflowId of intakeIds) {
    try {
      const d = await client.workflow.getHandle(workflowId).describe();
      const a = d.raw.pendingActivities?.find((p) => p.activityType?.name === 'watchMailbox');
      if (!a?.activityId || a.state !== proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED)
        continue;
      const why = goneBecause(
        { identity: a.lastWorkerIdentity ?? undefined, startedAt: timestampMs(a.lastStartedTime) },
        here,
      );
      if (!why) continue;
      await client.activity.fail(
        { workflowId, activityId: a.activityId },
        ApplicationFailure.create({
          message: `the worker holding the mailbox is gone: ${why}`,
          type: 'HolderGone',
          nextRetryDelay: RETRY_AFTER,
        }),
      );
      ended.push(`${workflowId}: ended the watcher of ${a.lastWorkerIdentity} (${why})`);
    } catch (err) {
      ended.push(
        `${workflowId}: could not check its holder (${(err as Error).message}); the heartbeat timeout applies`,
      );
    }
  }
  return ended;
}
