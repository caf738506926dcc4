/**
 * Renders every mail template with its sample data (templates/samples.ts) to files anyone can look at:
 * NAME.html and NAME.txt (the mail's two parts, subject on the text's first line), NAME.png (the HTML part in
 * Debian's headless Chromium, 640 px wide like a mail client's reading pane) and index.html listing them all.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { escapeHtml } from '../../templates/html.js';
import { renderCaseMail } from '../../templates/index.js';
import { mailSamples } from '../../templates/samples.js';
import { launchBrowser } from './browser.js';

export interface PreviewResult {
  name: string;
  subject: string;
  files: string[];
}

export async function renderPreview(opts: { out: string; png: boolean; only?: RegExp }): Promise<PreviewResult[]> {
  await mkdir(opts.out, { recursive: true });
  const samples = mailSamples().filter((s) => !opts.only || opts.only.test(s.name));
  const browser = opts.png ? await launchBrowser() : undefined;
  const context = await browser?.newContext({ viewport: { width: 640, height: 800 }, javaScriptEnabled: false });
  // Nothing leaves the machine: sample links point nowhere, and a preview must not fetch anything.
  await context?.route('**/*', (route) => route.abort());
  const results: PreviewResult[] = [];
  try {
    for (const s of samples) {
      const mail = await renderCaseMail(s.request, s.links);
      const base = path.join(opts.out, s.name);
      await writeFile(`${base}.html`, mail.html);
      await writeFile(`${base}.txt`, `Subject: ${mail.subject}\n\n${mail.text}`);
      const files = [`${s.name}.html`, `${s.name}.txt`];
      if (context) {
        const page = await context.newPage();
        await page.setContent(mail.html, { waitUntil: 'load' });
        await page.screenshot({ path: `${base}.png`, fullPage: true });
        await page.close();
        files.push(`${s.name}.png`);
      }
      results.push({ name: s.name, subject: mail.subject, files });
    }
  } finally {
    await browser?.close();
  }
  const rows = results.map(
    (r) =>
      `<tr><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.subject)}</td><td>${r.files
        .map((f) => `<a href="${encodeURIComponent(f)}">${escapeHtml(path.extname(f).slice(1))}</a>`)
        .join(' ')}</td></tr>`,
  );
  await writeFile(
    path.join(opts.out, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>Nachfass mail preview</title><style>body{font:15px system-ui;margin:24px}td{padding:4px 12px 4px 0}</style><h1>Nachfass mail preview</h1><table><tr><th>template</th><th>subject</th><th>files</th></tr>${rows.join('')}</table>`,
  );
  return results;
}
