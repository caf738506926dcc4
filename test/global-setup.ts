/**
 * One Temporal dev server per test run (in memory, on a free port), shared by every test file through
 * `inject('temporalAddress')`. The mail stack is checked, not started: scripts/test.sh starts it.
 */
import { connect } from 'node:net';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../worker/dev-server.js';
import { freePort, mailPorts } from './helpers/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  for (const [name, port] of Object.entries(mailPorts)) {
    if (!(await reachable(port))) {
      throw new Error(
        `${name} is not listening on 127.0.0.1:${port}: start the mail stack with \`bash scripts/stack.sh up mail\` (npm test does)`,
      );
    }
  }
  const server = await startDevServer({ port: await freePort(), uiPort: await freePort() });
  project.provide('temporalAddress', server.address);
  return () => server.stop();
}
