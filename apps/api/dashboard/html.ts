/** Server-rendered HTML: every value goes through `esc`; templates are tagged so nothing slips through. */

import { esc } from '../escape.ts';

/** Already-escaped markup. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | undefined | null | false | readonly Part[];

function render(p: Part): string {
  if (p === undefined || p === null || p === false) return '';
  if (p instanceof Html) return p.text;
  if (Array.isArray(p)) return p.map(render).join('');
  return esc(p);
}

/** `html\`<td>${value}</td>\``: interpolated values are escaped unless they are Html. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0]!;
  parts.forEach((p, i) => (out += render(p) + strings[i + 1]!));
  return new Html(out);
}

/** A table: its id, a header cell per column, and the body rows. */
export function table(id: string, headers: readonly Part[], rows: Part): Html {
  return html`<table id="${id}">
    <thead>
      <tr>
        ${headers.map((h) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

export const time = (ms: number | undefined) =>
  ms
    ? html`<time datetime="${new Date(ms).toISOString()}"
        >${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)}</time
      >`
    : '—';

/** Removes user:password@ from URLs and obvious credentials from free text before it is shown. */
export function redact(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(:[^/\s@]*)?@/gi, '$1***@')
    .replace(/\b(password|passwd|token|secret|authorization)(["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, '$1$2***');
}

const NAV = [
  ['/dashboard', 'Fleet'],
  ['/dashboard/queues', 'Queues'],
  ['/dashboard/registries', 'Registries'],
  ['/dashboard/webhooks', 'Webhooks'],
] as const;

export function layout(o: { title: string; active: string; csrf?: string; body: Html }): string {
  const nav = NAV.map(
    ([href, label]) =>
      html`<a href="${href}" ${o.active === href ? new Html(' aria-current="page"') : ''}>${label}</a>`,
  );
  const signOut = o.csrf
    ? html`<form method="post" action="/logout" class="logout"><button type="submit">Sign out</button></form>`
    : '';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${o.title} · tagflow</title>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="stylesheet" href="/dashboard/style.css" />
      </head>
      <body>
        <header>
          <strong>tagflow</strong>
          <nav>${nav}</nav>
          ${signOut}
        </header>
        <main>
          <h1>${o.title}</h1>
          ${o.body}
        </main>
      </body>
    </html>`.text;
}

export const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{display:flex;gap:1.5em;align-items:center;background:#1d2330;color:#fff;padding:.6em 1.2em}
header nav a{color:#cfd6e4;margin-right:1em;text-decoration:none}header nav a[aria-current]{color:#fff;font-weight:600}
header .logout{margin-left:auto}main{padding:1em 1.5em}h1{font-size:1.4em;margin:.2em 0 .8em}
table{border-collapse:collapse;background:#fff;width:100%;margin-bottom:1em}th,td{border-bottom:1px solid #e2e5ea;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#eef0f4;font-weight:600}.error{color:#b00020}.ok{color:#17723b}.muted{color:#6b7383}
form.filters{display:flex;gap:.6em;flex-wrap:wrap;margin-bottom:1em;align-items:end}label{display:block;font-size:.85em;color:#4a5262}
input,select,button{font:inherit;padding:.3em .5em}button{cursor:pointer}td form{display:inline}
.pager{display:flex;gap:1em;margin:.5em 0}.tag{font-family:ui-monospace,monospace}.empty{padding:1em;background:#fff;border:1px dashed #c5cad3}
.signin main{max-width:22em;margin:4em auto;background:#fff;padding:2em;border-radius:6px}.signin input{width:100%;box-sizing:border-box;margin:.3em 0 1em}
details pre{white-space:pre-wrap;font-size:.85em}dl.why{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;background:#fff;padding:1em}
dl.why dt{font-weight:600}
`;
