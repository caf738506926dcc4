export * from '../../scripts/lib/ports.js';
