/** Debian's Chromium for tests: the same launcher the scripts use. */
export * from '../../scripts/lib/browser.js';
