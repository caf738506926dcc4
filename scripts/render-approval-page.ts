/**
 * `npx tsx scripts/render-approval-page.ts`: renders the approval page of a sample case to
 * docs/approval-page-phone.png (390×844) and docs/approval-page-desktop.png (1280 wide), full page,
 * with Debian's headless Chromium and no server: the page's HTML with its stylesheet inlined.
 */
import { mkdir } from 'node:fs/promises';
import { launchBrowser } from './lib/browser.js';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { decidePage } from '../templates/pages/decide.js';
import { standalone } from '../templates/pages/layout.js';
import type { Approver, CaseState } from '../workflows/case.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const TIME_ZONE = 'Europe/Berlin';

const ladder: Approver[] = [
  { level: 0, role: 'Teamleitung', name: 'Sabine Schulz', address: 'supervisor@example.test', language: 'de' },
  { level: 1, role: 'Geschäftsleitung', name: 'Markus Weber', address: 'manager@example.test', language: 'de' },
];

/** A case as the link server sees it right after the approval request went out. */
const sample: CaseState = {
  caseId: 'M8TTV16PCN',
  status: 'awaiting-decision',
  subject: 'Waschmaschine nach zwei Wochen defekt – ich möchte sofort eine Erstattung',
  text: [
    'Guten Tag,',
    '',
    'vor zwei Wochen habe ich bei Ihnen die Waschmaschine „AquaPro 7“ (Bestellung 2026-48113) gekauft. ' +
      'Seit gestern zeigt sie den Fehler E21 und pumpt das Wasser nicht mehr ab. Die Wäsche liegt noch in der Trommel.',
    '',
    'Ich möchte das Gerät zurückgeben und den Kaufpreis von 499 € sofort erstattet bekommen. ' +
      'Eine Reparatur kommt für mich nicht in Frage, ich habe drei kleine Kinder und brauche eine funktionierende Maschine.',
    '',
    'Mit freundlichen Grüßen',
    'Erika Müller',
  ].join('\n'),
  customer: { name: 'Erika Müller', address: 'erika.mueller@example.test' },
  language: 'de',
  assessment: {
    urgency: 'high',
    impact: 'high',
    priority: 'P1',
    reasons: ['urgency: "sofort"', 'impact: "Erstattung"'],
  },
  ladder,
  level: 0,
  promisedBy: '2026-11-24T13:00:00.000Z',
  replies: [],
  sent: [
    { seq: 1, kind: 'acknowledgment', to: 'erika.mueller@example.test' },
    { seq: 2, kind: 'approval-request', to: 'supervisor@example.test' },
  ],
  timeline: [
    { at: '2026-11-24T09:12:04.000Z', event: 'assessed', detail: 'P1: urgency: "sofort"; impact: "Erstattung"' },
    { at: '2026-11-24T09:12:05.000Z', event: 'mail:acknowledgment', detail: 'customer' },
    { at: '2026-11-24T09:12:05.000Z', event: 'mail:approval-request', detail: 'Teamleitung Sabine Schulz' },
  ],
};

/** The page exactly as the link server sends it, with the stylesheet inlined (there is no server to fetch it from). */
function standalonePage(): string {
  const page = decidePage({
    state: sample,
    complaintText: sample.text,
    approver: ladder[0]!,
    timeZone: TIME_ZONE,
    csrfToken: 'beispiel-csrf-token',
    action: '/decide/beispiel',
  });
  return standalone(page);
}

async function shoot(browser: Browser, html: string, file: string, width: number, height: number): Promise<void> {
  const phone = width < 600;
  const context = await browser.newContext({
    viewport: { width, height },
    deviceScaleFactor: phone ? 2 : 1,
    isMobile: phone,
    hasTouch: phone,
    javaScriptEnabled: false,
  });
  try {
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    await page.screenshot({ path: file, fullPage: true });
    console.log(`${path.relative(ROOT, file)}  (${width}×${height} viewport, full page)`);
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const docs = path.join(ROOT, 'docs');
  await mkdir(docs, { recursive: true });
  const html = standalonePage();
  const browser = await launchBrowser();
  try {
    await shoot(browser, html, path.join(docs, 'approval-page-phone.png'), 390, 844);
    await shoot(browser, html, path.join(docs, 'approval-page-desktop.png'), 1280, 800);
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
