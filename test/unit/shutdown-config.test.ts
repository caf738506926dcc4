/** SHUTDOWN_GRACE: the longest a stop takes (worker/main.ts, app.ts), 10 s unless set, a duration or start-up stops. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, PROJECT_ROOT } from '../../worker/config.js';
import { VALID_ENV } from '../helpers/config-env.js';

describe('SHUTDOWN_GRACE', () => {
  it('is 10 s by default and takes a duration', () => {
    expect(loadConfig(VALID_ENV).shutdownGrace).toBe(10_000);
    expect(loadConfig({ ...VALID_ENV, SHUTDOWN_GRACE: '25s' }).shutdownGrace).toBe(25_000);
    expect(loadConfig({ ...VALID_ENV, SHUTDOWN_GRACE: '1m' }).shutdownGrace).toBe(60_000);
  });

  it('stops start-up on anything but a positive duration, naming the variable', () => {
    for (const bad of ['soon', '0s', '-5s']) {
      expect(() => loadConfig({ ...VALID_ENV, SHUTDOWN_GRACE: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ...VALID_ENV, SHUTDOWN_GRACE: bad })).toThrow(/SHUTDOWN_GRACE/);
    }
  });

  it('the default paths are the repository’s, found from worker/ as from a build in dist/', () => {
    expect(loadConfig(VALID_ENV).policyFile).toBe(`${PROJECT_ROOT}/policy/example.yaml`);
    expect(PROJECT_ROOT.endsWith('/dist')).toBe(false);
  });
});
