/**
 * The failure converter of the worker, its workflows and its client (`failureConverterPath`): a failure's message
 * and stack trace go into a payload, which the payload codec seals. SMTP refusals quote the customer's address,
 * and Temporal stores failures in history; without this they would be stored in clear. The failure's type,
 * `nonRetryable` flag and cause chain stay readable, so workflows still branch on `ApplicationFailure.type`.
 *
 * Kept deliberately free of TypeScript syntax: the SDK loads this file with a plain `require()` (also where no
 * TypeScript loader runs, e.g. under vitest), and webpack bundles it into the workflow sandbox.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
