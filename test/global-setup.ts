/**
 * One Temporal dev server per test run (in memory, on a free port), shared by every test file through
 * `inject('temporalAddress')`. The mail stack is checked, not started: scripts/test.sh starts it.
 */
import type { TestProject } from 'vitest/node';
import { portOpen, startDevServer } from '../worker/dev-server.js';
import { freePort, mailPorts } from './helpers/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** The dev server's Web UI, which decrypts payloads through a codec endpoint on `codecPort`. */
    temporalUiUrl: string;
    /** Reserved for the one test that serves the codec endpoint (test/e2e/encryption.test.ts). */
    codecPort: number;
  }
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
  const server = await startDevServer({
    port: await freePort(),
    uiPort: await freePort(),
    codecEndpoint: `http://127.0.0.1:${codecPort}`,
  });
  project.provide('temporalAddress', server.address);
  project.provide('temporalUiUrl', server.uiUrl);
  project.provide('codecPort', codecPort);
  return () => server.stop();
}
