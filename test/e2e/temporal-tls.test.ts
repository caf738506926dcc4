/**
 * Temporal behind TLS and mTLS (real dev server, real mail stack): a TLS-terminating proxy with throwaway
 * certificates in front of the run's dev server. The worker and the client connect through it and a case runs;
 * a worker without a client certificate, or trusting another CA, is refused with a message saying why.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loadConfig, PROJECT_ROOT } from '../../worker/config.js';
import { connectClient, connectWorker } from '../../worker/temporal-connection.js';
import { caseStateQuery } from '../../workflows/messages.js';
import { startAppWithEnv, testEnv, testPeople, testPolicy, testPolicyYaml } from '../helpers/app.js';
import { openCase } from '../helpers/open-case.js';
import { makeTestPki, startTlsProxy, type TestPki, type TlsProxy } from '../helpers/tls-proxy.js';

const run = promisify(execFile);

let pki: TestPki;
let tlsOnly: TlsProxy;
let mtls: TlsProxy;

beforeAll(async () => {
  pki = await makeTestPki();
  tlsOnly = await startTlsProxy({ target: inject('temporalAddress'), pki });
  mtls = await startTlsProxy({ target: inject('temporalAddress'), pki, clientCa: pki.ca });
});
afterAll(async () => {
  await tlsOnly?.close();
  await mtls?.close();
});

describe('Temporal over TLS', () => {
  it('runs a case with worker and client connected through mTLS', async () => {
    const people = testPeople();
    const env = await testEnv(people, {
      TEMPORAL_ADDRESS: mtls.address,
      TEMPORAL_TLS_CA: pki.ca,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
      TEMPORAL_TLS_CERT: pki.clientCert,
      TEMPORAL_TLS_KEY: pki.clientKey,
    });
    const before = mtls.accepted;
    const app = await startAppWithEnv(env, testPolicy(people));
    try {
      const opened = await openCase(app, people);
      const state = await opened.handle.query(caseStateQuery);
      expect(state.caseId).toBe(opened.caseId);
      // The client and the worker (native core) each made their own TLS connection with the client certificate.
      expect(mtls.accepted - before).toBeGreaterThanOrEqual(2);
    } finally {
      await app.stop();
    }
  });

  it('starts and queries a workflow through server-only TLS (private CA and server name)', async () => {
    const people = testPeople();
    const env = await testEnv(people, {
      TEMPORAL_ADDRESS: tlsOnly.address,
      TEMPORAL_TLS: 'true',
      TEMPORAL_TLS_CA: pki.ca,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
    });
    const app = await startAppWithEnv(env, testPolicy(people));
    try {
      const intake = app.client.workflow.getHandle(app.intakeWorkflowId);
      expect((await intake.describe()).status.name).toBe('RUNNING');
      expect(tlsOnly.accepted).toBeGreaterThanOrEqual(2);
    } finally {
      await app.stop();
    }
  });

  it('refuses a worker process without a client certificate, saying that the server requires one', async () => {
    const people = testPeople();
    const policyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'nachfass-tls-')), 'policy.yaml');
    writeFileSync(policyFile, testPolicyYaml(people));
    const env = await testEnv(people, {
      POLICY_FILE: policyFile,
      TEMPORAL_ADDRESS: mtls.address,
      TEMPORAL_TLS_CA: pki.ca,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
    });
    const refusedBefore = mtls.refused.length;
    const failed = await run(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker/main.ts')], {
      env: { ...process.env, ...env },
      cwd: PROJECT_ROOT,
      timeout: 60_000,
    }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(
      `cannot connect to Temporal at ${mtls.address} over TLS without a client certificate`,
    );
    expect(failed?.stderr).toContain(
      'the server requires a client certificate (mTLS): set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY',
    );
    expect(failed?.stderr).not.toContain('    at '); // a message, not a stack trace
    expect(mtls.refused.length).toBeGreaterThan(refusedBefore);
  });

  it('refuses a client certificate of another CA, and a server not signed by TEMPORAL_TLS_CA', async () => {
    const people = testPeople();
    const base = await testEnv(people);
    const stranger = loadConfig({
      ...base,
      TEMPORAL_ADDRESS: mtls.address,
      TEMPORAL_TLS_CA: pki.ca,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
      TEMPORAL_TLS_CERT: pki.strangerCert,
      TEMPORAL_TLS_KEY: pki.strangerKey,
    }).temporal;
    await expect(connectWorker(stranger, mtls.address)).rejects.toThrow(
      /with the client certificate TEMPORAL_TLS_CERT: .*the server refused our client certificate/,
    );
    const wrongCa = loadConfig({
      ...base,
      TEMPORAL_ADDRESS: tlsOnly.address,
      TEMPORAL_TLS_CA: pki.otherCa,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
    }).temporal;
    await expect(connectWorker(wrongCa, tlsOnly.address)).rejects.toThrow(/not signed by TEMPORAL_TLS_CA/);
    await expect(connectClient(wrongCa, tlsOnly.address)).rejects.toThrow(/not signed by TEMPORAL_TLS_CA/);
    const noName = loadConfig({ ...base, TEMPORAL_ADDRESS: tlsOnly.address, TEMPORAL_TLS_CA: pki.ca }).temporal;
    await expect(connectWorker(noName, tlsOnly.address)).rejects.toThrow(/set TEMPORAL_TLS_SERVER_NAME/);
    const plain = loadConfig({ ...base, TEMPORAL_ADDRESS: tlsOnly.address }).temporal;
    await expect(connectWorker(plain, tlsOnly.address)).rejects.toThrow(
      /speaks TLS on this port: set TEMPORAL_TLS=true/,
    );
  });
});
