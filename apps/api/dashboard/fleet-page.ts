import type { FleetFilters, FleetPage, FleetRow } from './fleet-data.ts';
import { html, Html, table, time } from './html.ts';

export const OUTCOMES = ['errors', 'updated', 'planned', 'dry-run', 'noop', 'skipped', 'failed', 'invalid'] as const;

const appLink = (key: string) => `/dashboard/app?key=${encodeURIComponent(key)}`;

function row(r: FleetRow): Html {
  const images = r.images.length > 0 ? r.images : [{ image: '—' } as FleetRow['images'][number]];
  const problems = r.problems.length > 0 ? html`<div class="error">${r.problems.join('; ')}</div>` : '';
  return html`${images.map(
    (i, n) =>
      html`<tr data-app="${r.key}">
        ${
          n === 0
            ? html`<td rowspan="${images.length}">${r.controlPlane}</td>
                <td rowspan="${images.length}"><a href="${appLink(r.key)}">${r.namespace}/${r.name}</a>${problems}</td>`
            : ''
        }
        <td>${i.image}</td>
        <td class="tag">${i.current ?? '—'}</td>
        <td class="tag">${i.newest ?? '—'}</td>
        ${
          n === 0
            ? html`<td rowspan="${images.length}">${time(r.lastCheck)}</td>
                <td rowspan="${images.length}">${time(r.lastChange)}</td>
                <td rowspan="${images.length}" class="${r.errors > 0 ? 'error' : ''}">
                  ${r.errors > 0 ? `${r.errors} (${r.outcome ?? ''})` : (r.outcome ?? '—')}
                </td>`
            : ''
        }
      </tr>`,
  )}`;
}

function query(f: FleetFilters, extra: Record<string, string>): string {
  const p = new URLSearchParams();
  if (f.controlPlane) p.set('cp', f.controlPlane);
  if (f.search) p.set('q', f.search);
  if (f.outcome) p.set('outcome', f.outcome);
  if (f.limit !== 50) p.set('limit', String(f.limit));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return `/dashboard?${p.toString()}`;
}

export function fleetBody(page: FleetPage, f: FleetFilters, controlPlanes: readonly string[]): Html {
  const cpOptions = ['', ...controlPlanes].map(
    (cp) => html`<option value="${cp}" ${cp === f.controlPlane ? new Html(' selected') : ''}>${cp || 'all'}</option>`,
  );
  const outcomeOptions = ['', ...OUTCOMES].map(
    (o) => html`<option value="${o}" ${o === f.outcome ? new Html(' selected') : ''}>${o || 'any'}</option>`,
  );
  const list =
    page.rows.length === 0
      ? html`<p class="empty">No application matches.</p>`
      : table(
          'fleet',
          [
            'Control plane',
            'App',
            'Image',
            'Current tag',
            'Newest allowed',
            'Last check',
            'Last change',
            'Errors / outcome',
          ],
          page.rows.map(row),
        );
  return html`<form class="filters" method="get" action="/dashboard">
      <div>
        <label for="cp">Control plane</label
        ><select id="cp" name="cp">
          ${cpOptions}
        </select>
      </div>
      <div>
        <label for="q">App or image</label
        ><input id="q" name="q" type="search" value="${f.search ?? ''}" placeholder="search" />
      </div>
      <div>
        <label for="outcome">Outcome</label
        ><select id="outcome" name="outcome">
          ${outcomeOptions}
        </select>
      </div>
      <div><button type="submit">Filter</button></div>
    </form>
    <p class="muted">
      ${page.total} applications${f.controlPlane ? ` in ${f.controlPlane}` : ''}; showing ${page.rows.length}.
    </p>
    ${list}
    <div class="pager">
      ${f.cursor ? html`<a href="${query(f, {})}">« First page</a>` : ''}${page.next ? html`<a rel="next" href="${query(f, { cursor: page.next })}">Next page »</a>` : ''}
    </div>`;
}
