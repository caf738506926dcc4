/**
 * Cases outlive code: a history recorded by an earlier release must replay on the current workflow code without
 * a nondeterminism error. complaint-before-feedback.bin is a completed case (approved, followed up) recorded by
 * the release before the feedback survey (commit bc20ea9), unencrypted, as Temporal stored it.
 * complaint-low-rating.bin is this release's survey path (rating 2, reminder, overdue notice, follow-up closed),
 * recorded with PAYLOAD_ENCRYPTION=false so that later releases can replay it. complaint-digest-deputy.bin is the
 * release of the queue, digests and deputies (search attributes with ApproverHash, a reminder through the digest,
 * the supervisor's out-of-office reply handing the case to the deputy, who decides; rated 5), recorded unencrypted
 * in the workflow tier (test/workflows/story-env.ts). complaint-undo-window.bin is the release of the decision
 * undo window (decisionUndoWindow 3s): approved by the supervisor, undone inside the window, rejected by the manager,
 * the window passing, surveyed, rated 4; recorded unencrypted in the workflow tier. complaint-local-mail.bin is the
 * release that sends case mail by local activity (patched('local-mail')): a reminder, approved, the thanks for the
 * rating refused by SMTP (a failed local activity's marker) and the bounce notice to the supervisor; recorded
 * unencrypted in the workflow tier.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { workflowBundle } from '../helpers/app.js';

const history = (name: string) =>
  proto.temporal.api.history.v1.History.decode(readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/histories', name)));

describe('replaying histories of earlier releases', () => {
  it('replays a case completed before the feedback survey existed', async () => {
    const recorded = history('complaint-before-feedback.bin');
    const types = recorded.events?.map((e) => e.eventType) ?? [];
    expect(types.length).toBeGreaterThan(20);
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, recorded, 'complaint-before-feedback'),
    ).resolves.toBeUndefined();
  });

  it('replays a case of this release through the survey and a low rating’s follow-up', async () => {
    const recorded = history('complaint-low-rating.bin');
    const markers = recorded.events?.filter((e) => e.markerRecordedEventAttributes) ?? [];
    expect(markers.length).toBe(1); // patched('feedback-survey')
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, recorded, 'complaint-low-rating'),
    ).resolves.toBeUndefined();
  });

  it('replays a case of the queue release: a digested reminder, a deputy’s decision', async () => {
    const recorded = history('complaint-digest-deputy.bin');
    const markers = recorded.events?.filter((e) => e.markerRecordedEventAttributes) ?? [];
    expect(markers.length).toBe(5); // approver-queue, deputies, reminder-digest, decision-receipt, feedback-survey
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, recorded, 'complaint-digest-deputy'),
    ).resolves.toBeUndefined();
  });

  it('replays a case of the undo window: decided, undone, decided again, the window passing', async () => {
    const recorded = history('complaint-undo-window.bin');
    const markers = recorded.events?.filter((e) => e.markerRecordedEventAttributes) ?? [];
    expect(markers.length).toBe(5); // undo-window, deputies, reminder-digest, feedback-survey, deputy-owner
    const updates = recorded.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    expect(updates.length).toBe(4); // decide, undoDecision, decide, rate
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, recorded, 'complaint-undo-window'),
    ).resolves.toBeUndefined();
  });

  it('replays a case of the local-mail release: every mail a local activity’s marker, one of them failed', async () => {
    const recorded = history('complaint-local-mail.bin');
    const markers = recorded.events?.map((e) => e.markerRecordedEventAttributes).filter((m) => m) ?? [];
    const local = markers.filter((m) => m?.markerName === 'core_local_activity');
    expect(local.length).toBe(8); // acknowledgment … bounce notice
    expect(local.filter((m) => m?.failure).length).toBe(1); // the refused thanks
    expect(markers.length - local.length).toBe(6); // local-mail, deputies, reminder-digest, decision-receipt, …
    const activities = recorded.events?.filter((e) => e.activityTaskScheduledEventAttributes) ?? [];
    expect(activities.length).toBe(0);
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, recorded, 'complaint-local-mail'),
    ).resolves.toBeUndefined();
  });
});
