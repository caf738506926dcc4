/** Real mail for tests: the same helpers the demo uses (scripts/lib/dev-mail.ts). */
export * from '../../scripts/lib/dev-mail.js';
