/**
 * `npm run preview [-- OUT_DIR] [--no-png] [--only REGEX]`: every mail template in German and English, rendered
 * with sample data to OUT_DIR (default preview/): HTML, text and a PNG from headless Chromium, plus index.html.
 */
import path from 'node:path';
import { renderPreview } from './lib/preview.js';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log('usage: npm run preview [-- OUT_DIR] [--no-png] [--only REGEX]');
  process.exit(0);
}
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new RegExp(args[onlyAt + 1] ?? '') : undefined;
const out = path.resolve(args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--only') ?? 'preview');
const started = Date.now();
renderPreview({ out, png: !args.includes('--no-png'), ...(only ? { only } : {}) })
  .then((results) => {
    const files = results.reduce((n, r) => n + r.files.length, 0);
    console.log(`${results.length} mails, ${files} files in ${out} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    console.log(`open ${path.join(out, 'index.html')}`);
  })
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    if (err instanceof Error && /executable doesn't exist|ENOENT/i.test(err.message)) {
      console.error('Chromium is needed for the PNGs: run scripts/provision.sh, or pass --no-png.');
    }
    process.exit(1);
  });
