/**
 * Shell of every page of the link server: accessible, readable on a phone, no inline script. Rendered with
 * React (`renderToStaticMarkup`), which escapes every value, as the mails are.
 */
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { TLanguage } from '../../workflows/case.js';

export const PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Arial,sans-serif;color:#1f2933;background:#f4f5f7}
main{max-width:720px;margin:0 auto;padding:16px}
section{background:#fff;border-radius:8px;padding:16px 20px;margin:0 0 16px}
h1{font-size:1.4rem;line-height:1.3;margin:.2em 0 .6em;overflow-wrap:anywhere}h2{font-size:1.15rem;margin:0 0 .5em}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:4px 16px;margin:0}dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
blockquote{margin:0;padding:8px 12px;border-left:4px solid #cbd2d9;white-space:pre-wrap;overflow-wrap:anywhere}
ol{padding-left:1.4em;margin:0}li+li{margin-top:6px}.timeline time{font-variant-numeric:tabular-nums;color:#52606d}
label,legend{display:block;font-weight:600;margin:16px 0 6px;padding:0}
legend{margin-top:0}legend .muted{display:block;font-weight:400}
textarea{display:block;width:100%;min-height:7em;font:inherit;padding:10px;border:1px solid #7b8794;border-radius:6px;resize:vertical}
fieldset{border:0;padding:0;margin:0;min-width:0}
.choice{display:flex;gap:12px;align-items:center;min-height:48px;margin:8px 0;padding:10px 14px;font-weight:500;
border:1px solid #7b8794;border-radius:6px;cursor:pointer}
.choice input{width:22px;height:22px;margin:0;flex:none;accent-color:#1f6feb}
.choice:has(input:checked){border:2px solid #1f6feb;background:#eef4ff;padding:9px 13px}
button{display:block;font:inherit;font-weight:600;min-height:48px;padding:12px 24px;border:0;border-radius:6px;
background:#1a5fd0;color:#fff;margin-top:20px;cursor:pointer}button:hover{background:#154ea8}
:focus-visible,.choice:has(input:focus-visible){outline:3px solid #1f2933;outline-offset:2px}
.choice input:focus-visible{outline:0}
.notice{border-left:6px solid #1f6feb}.error{border-left:6px solid #d64545}.muted{color:#52606d;font-size:.9rem}
@media (max-width:520px){main{padding:8px}section{padding:14px 14px}dl{grid-template-columns:minmax(0,1fr);gap:0}
dd{margin-bottom:8px}button{width:100%}}
`;

/** A whole page as HTML. */
export function page(language: TLanguage, title: string, body: ReactNode): string {
  return `<!doctype html>${renderToStaticMarkup(
    <html lang={language}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{title}</title>
        <link rel="stylesheet" href="/static/app.css" />
      </head>
      <body>
        <main>{body}</main>
      </body>
    </html>,
  )}`;
}

/** A page with its stylesheet inlined, to look at without the link server (preview, screenshots). */
export function standalone(html: string): string {
  const stylesheet = /<link rel="stylesheet" href="\/static\/app\.css" ?\/?>/;
  if (!stylesheet.test(html)) throw new Error('the page no longer links /static/app.css');
  return html.replace(stylesheet, () => `<style>${PAGE_CSS}</style>`);
}

/** The hidden CSRF field every form carries. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}
