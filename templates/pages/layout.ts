/** Shell of every page of the link server: accessible, readable on a phone, no inline script. */
import type { TLanguage } from '../../workflows/case.js';
import { html, type SafeHtml } from '../html.js';

export const PAGE_CSS = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Arial,sans-serif;color:#1f2933;background:#f4f5f7}
main{max-width:720px;margin:0 auto;padding:16px}section{background:#fff;border-radius:8px;padding:16px 20px;margin:0 0 16px}
h1{font-size:1.4rem;margin:.2em 0 .6em}h2{font-size:1.1rem;margin:0 0 .5em}dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:0}
dt{font-weight:600}dd{margin:0}blockquote{margin:0;padding:8px 12px;border-left:3px solid #cbd2d9;white-space:pre-wrap;word-break:break-word}
label{display:block;font-weight:600;margin:12px 0 4px}textarea{width:100%;min-height:6em;font:inherit;padding:8px;border:1px solid #9aa5b1;border-radius:4px}
fieldset{border:0;padding:0;margin:0}.choice{display:flex;gap:8px;align-items:center;font-weight:400;margin:6px 0}
button{font:inherit;padding:12px 20px;border:0;border-radius:6px;background:#1f6feb;color:#fff;margin-top:16px;cursor:pointer}
button:focus,textarea:focus,input:focus{outline:3px solid #f0b429;outline-offset:2px}.notice{border-left:6px solid #1f6feb}.error{border-left:6px solid #d64545}
.muted{color:#52606d;font-size:.9rem}ol{padding-left:1.2em}
`;

export function page(language: TLanguage, title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="${language}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        <link rel="stylesheet" href="/static/app.css" />
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html>`.value;
}
