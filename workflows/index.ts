/** Entry point of the workflow bundle. */
export { ComplaintWorkflow } from './complaint.js';
export { IntakeWorkflow } from './intake.js';
export { DigestWorkflow } from './digest.js';
export { ReconcileWorkflow } from './reconcile.js';
