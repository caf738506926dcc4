/**
 * `nachfass preview`: every mail template and link-server page, rendered with the sample data of
 * templates/samples.ts to files anyone can look at: NAME.html, NAME.txt for mails (subject on the first line),
 * NAME.png (Debian's headless Chromium: 640 px wide for mails like a reading pane, 390 px for pages like a phone)
 * and index.html listing them all. PNGs need playwright-core and Chromium (scripts/provision.sh); `png: false`
 * needs neither. `renderDocsPictures` takes the README's screenshots of the approval page (docs/).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { renderToStaticMarkup } from 'react-dom/server';
import { digestSamples } from '../templates/digest-samples.js';
import { renderCaseMail } from '../templates/index.js';
import { renderDraft } from '../templates/layout.js';
import { mailSamples, pageSamples } from '../templates/samples.js';

export interface PreviewResult {
  name: string;
  title: string;
  files: string[];
}

interface Item {
  name: string;
  title: string;
  html: string;
  text?: string;
  width: number;
}

async function items(only?: RegExp): Promise<Item[]> {
  const all: Item[] = [];
  for (const s of mailSamples()) {
    if (only && !only.test(s.name)) continue;
    const mail = await renderCaseMail(s.request, s.links);
    all.push({
      name: s.name,
      title: mail.subject,
      html: mail.html,
      text: `Subject: ${mail.subject}\n\n${mail.text}`,
      width: 640,
    });
  }
  for (const d of digestSamples()) {
    if (only && !only.test(d.name)) continue;
    const mail = await renderDraft(d.draft);
    all.push({
      name: d.name,
      title: mail.subject,
      html: mail.html,
      text: `Subject: ${mail.subject}\n\n${mail.text}`,
      width: 640,
    });
  }
  for (const p of pageSamples()) {
    if (only && !only.test(p.name)) continue;
    all.push({ name: p.name, title: p.html.match(/<title>([^<]*)<\/title>/)?.[1] ?? p.name, html: p.html, width: 390 });
  }
  return all;
}

async function openBrowser(): Promise<Browser> {
  try {
    const { launchBrowser } = await import('../scripts/lib/browser.js');
    return await launchBrowser();
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new Error(
      `PNGs need playwright-core and Chromium (scripts/provision.sh installs them), or pass --no-png: ${why}`,
      { cause: err },
    );
  }
}

export async function renderPreview(opts: { out: string; png: boolean; only?: RegExp }): Promise<PreviewResult[]> {
  await mkdir(opts.out, { recursive: true });
  const list = await items(opts.only);
  const browser = opts.png ? await openBrowser() : undefined;
  const results: PreviewResult[] = [];
  // One page per width, reused: a fresh browser context per picture costs about a second each.
  const pages = new Map<number, Page>();
  const pageFor = async (width: number): Promise<Page> => {
    let page = pages.get(width);
    if (!page) {
      const context = await browser!.newContext({ viewport: { width, height: 700 }, javaScriptEnabled: false });
      // Nothing leaves the machine: sample links point nowhere, and a preview fetches nothing.
      await context.route('**/*', (route) => route.abort());
      page = await context.newPage();
      pages.set(width, page);
    }
    return page;
  };
  try {
    for (const item of list) {
      const base = path.join(opts.out, item.name);
      const files = [`${item.name}.html`];
      await writeFile(`${base}.html`, item.html);
      if (item.text !== undefined) {
        await writeFile(`${base}.txt`, item.text);
        files.push(`${item.name}.txt`);
      }
      if (browser) {
        const page = await pageFor(item.width);
        await page.setContent(item.html, { waitUntil: 'load' });
        await page.screenshot({ path: `${base}.png`, fullPage: true });
        files.push(`${item.name}.png`);
      }
      results.push({ name: item.name, title: item.title, files });
    }
  } finally {
    await browser?.close();
  }
  const index = renderToStaticMarkup(
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <title>Nachfass preview</title>
        <style>{'body{font:15px system-ui;margin:24px}td{padding:4px 12px 4px 0}'}</style>
      </head>
      <body>
        <h1>Nachfass: every mail and page</h1>
        <table>
          <tbody>
            <tr>
              <th>name</th>
              <th>subject or title</th>
              <th>files</th>
            </tr>
            {results.map((r) => (
              <tr key={r.name}>
                <td>{r.name}</td>
                <td>{r.title}</td>
                <td>
                  {r.files.map((f) => (
                    <a key={f} href={encodeURIComponent(f)} style={{ marginRight: '8px' }}>
                      {path.extname(f).slice(1)}
                    </a>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </body>
    </html>,
  );
  await writeFile(path.join(opts.out, 'index.html'), `<!doctype html>${index}`);
  return results;
}

/** The README's pictures of the approval page: the German decide sample as a phone (2× pixels) and a desktop sees it. */
const DOCS_PICTURES = [
  { file: 'approval-page-phone.png', sample: 'page-decide.de', width: 390, height: 844, phone: true },
  { file: 'approval-page-desktop.png', sample: 'page-decide.de', width: 1280, height: 800, phone: false },
];

export async function renderDocsPictures(out: string): Promise<string[]> {
  await mkdir(out, { recursive: true });
  const browser = await openBrowser();
  const written: string[] = [];
  try {
    for (const pic of DOCS_PICTURES) {
      const sample = pageSamples().find((p) => p.name === pic.sample);
      if (!sample) throw new Error(`no page sample named ${pic.sample} (templates/samples.ts)`);
      const context = await browser.newContext({
        viewport: { width: pic.width, height: pic.height },
        deviceScaleFactor: pic.phone ? 2 : 1,
        isMobile: pic.phone,
        hasTouch: pic.phone,
        javaScriptEnabled: false,
      });
      try {
        await context.route('**/*', (route) => route.abort());
        const page = await context.newPage();
        await page.setContent(sample.html, { waitUntil: 'load' });
        const file = path.join(out, pic.file);
        await page.screenshot({ path: file, fullPage: true });
        written.push(file);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  return written;
}
