/**
 * One Temporal server per test run, shared by every test file through `inject('temporalAddress')`: by default a
 * Temporal dev server in memory on a free port; with NACHFASS_TEST_TEMPORAL_ADDRESS (host:port, set by
 * scripts/test-postgres.sh) the server running there, e.g. Temporal on PostgreSQL from scripts/postgres.sh, and
 * no dev server. The mail stack is checked, not started: scripts/test.sh starts it.
 */
import type { TestProject } from 'vitest/node';
import { portOpen, startDevServer } from '../worker/dev-server.js';
import { freePort, mailPorts } from './helpers/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /**
     * The dev server's Web UI, which decrypts payloads through a codec endpoint on `codecPort`. Not provided with
     * NACHFASS_TEST_TEMPORAL_ADDRESS (that server has no UI): the one test that uses it, test/e2e/encryption.test.ts,
     * runs on the dev server only.
     */
    temporalUiUrl: string;
    /** Reserved for the one test that serves the codec endpoint (test/e2e/encryption.test.ts). */
    codecPort: number;
  }
}

/** The port of NACHFASS_TEST_TEMPORAL_ADDRESS, which must be `host:port` of a frontend that accepts connections. */
async function externalServer(address: string): Promise<string> {
  const [, host, port] = /^([\w.-]+):(\d+)$/.exec(address) ?? [];
  if (!host || !port) throw new Error(`NACHFASS_TEST_TEMPORAL_ADDRESS="${address}" is not host:port`);
  if (host !== '127.0.0.1' && host !== 'localhost') {
    throw new Error(`NACHFASS_TEST_TEMPORAL_ADDRESS="${address}": the tests use a Temporal server on 127.0.0.1 only`);
  }
  if (!(await portOpen(Number(port)))) {
    throw new Error(
      `no Temporal server listens on ${address} (NACHFASS_TEST_TEMPORAL_ADDRESS): start it with \`bash scripts/postgres.sh up\` (npm run test:postgres does)`,
    );
  }
  return address;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  for (const [name, port] of Object.entries(mailPorts)) {
    if (!(await portOpen(port))) {
      throw new Error(
        `${name} is not listening on 127.0.0.1:${port}: start the mail stack with \`bash scripts/stack.sh up mail\` (npm test does)`,
      );
    }
  }
  const codecPort = await freePort();
  project.provide('codecPort', codecPort);
  const external = process.env.NACHFASS_TEST_TEMPORAL_ADDRESS;
  if (external) {
    project.provide('temporalAddress', await externalServer(external));
    return () => Promise.resolve();
  }
  const server = await startDevServer({
    port: await freePort(),
    uiPort: await freePort(),
    codecEndpoint: `http://127.0.0.1:${codecPort}`,
  });
  project.provide('temporalAddress', server.address);
  project.provide('temporalUiUrl', server.uiUrl);
  return () => server.stop();
}
