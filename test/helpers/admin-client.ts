/**
 * A Temporal client of the test's own for a worker process it spawned: the same payload key, so that it can
 * decide a case the way an admin does with the `decide` update (channel `admin`).
 */
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { EncryptionCodec, FAILURE_CONVERTER_PATH } from '../../worker/codec.js';
import { decideUpdate } from '../../workflows/messages.js';

/** Approves `caseId` as `decidedBy` through the update, as an admin in the Web UI or CLI would. */
export async function approveAsAdmin(payloadKeyHex: string, caseId: string, decidedBy: string): Promise<void> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  try {
    const codec = new EncryptionCodec(Buffer.from(payloadKeyHex, 'hex'));
    const client = new Client({
      connection,
      dataConverter: { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH },
    });
    await client.workflow.getHandle(workflowIdFor(caseId)).executeUpdate(decideUpdate, {
      args: [{ outcome: 'approved', decidedBy, noteToCustomer: 'Ersatz kommt.', channel: 'admin' }],
    });
  } finally {
    await connection.close();
  }
}
