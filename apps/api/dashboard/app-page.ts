/** One app's timeline: its configuration, where each image stands and why, and every record. */
import type { IndexEntry } from '../../../shared/domain/fleet/index-entry.ts';
import type { AuditRecord } from '../../../shared/ports/audit-log.ts';
import type { CorruptEntry } from '../../../shared/ports/fleet-index.ts';
import { funnel, verdict, warnings, written } from './explain.ts';
import type { FleetRow } from './fleet-data.ts';
import { html, Html, redact, table, time } from './html.ts';

function config(entry: IndexEntry | CorruptEntry | undefined): Html {
  if (!entry) return html`<p class="empty">This app is not in the fleet index (deleted, or not tracked).</p>`;
  if ('corrupt' in entry) return html`<p class="error">${entry.corrupt}</p>`;
  const wb = entry.writeBack.config;
  const target = wb
    ? wb.method === 'git'
      ? `git ${wb.gitRepository ?? entry.app.spec?.source?.repoURL ?? ''} ${wb.gitBranch?.base ?? ''}${wb.gitBranch?.write ? `:${wb.gitBranch.write}` : ''} ${wb.target ?? ''}`
      : 'argocd (Application spec)'
    : 'none';
  const rows = entry.tracked.map(
    (t) =>
      html`<tr>
        <td>${t.spec.alias}</td>
        <td>${t.spec.imageName}</td>
        <td>${t.spec.settings.strategy}</td>
        <td class="tag">${t.spec.constraint || '—'}</td>
        <td class="tag">${t.spec.settings.allowTags ?? '—'}</td>
        <td class="tag">${t.spec.settings.ignoreTags.join(', ') || '—'}</td>
      </tr>`,
  );
  return html`${table('config', ['Alias', 'Image', 'Strategy', 'Constraint', 'Allow tags', 'Ignore tags'], rows)}
    <p>
      Write-back:
      <span class="tag">${redact(target.trim())}</span
      >${entry.updater ? ` (ImageUpdater ${entry.updater.namespace}/${entry.updater.name})` : ''}
    </p>`;
}

function record(r: AuditRecord): Html {
  const move = r.current || r.selected ? html`<span class="tag">${r.current ?? '∅'} → ${r.selected ?? '∅'}</span>` : '';
  const how = funnel(r);
  const warn = warnings(r);
  const where = written(r);
  const job = r.jobId ? `${r.queue ?? ''}/${r.jobId} attempt ${r.attempt ?? '?'}` : '';
  return html`<tr class="record" data-kind="${r.kind}" data-outcome="${r.outcome}">
    <td>${time(r.at)}</td>
    <td>${r.kind}</td>
    <td>${r.alias ?? r.image ?? ''}</td>
    <td>${move}</td>
    <td class="${r.outcome === 'failed' || r.outcome === 'invalid' ? 'error' : ''}">${r.outcome}</td>
    <td>
      ${redact(r.message)}${how ? html`<div class="muted">${how}</div>` : ''}${warn.length > 0 ? html`<div class="error">${warn.join('; ')}</div>` : ''}${where ? html`<div>${where}</div>` : ''}
    </td>
    <td>${job}${r.trigger ? html`<div class="muted">trigger ${r.trigger}</div>` : ''}</td>
  </tr>`;
}

export function appBody(o: {
  key: string;
  entry: IndexEntry | CorruptEntry | undefined;
  row: FleetRow;
  records: readonly AuditRecord[];
  next?: string;
  cursor?: string;
}): Html {
  const why = o.row.images.map((i) => {
    const mine = (r: AuditRecord) => r.image === i.image || (i.alias !== undefined && r.alias === i.alias);
    const check = o.records.find((r) => r.kind === 'select' && mine(r));
    const write = o.records.find((r) => r.kind === 'write-back' && mine(r));
    const how = check ? funnel(check) : undefined;
    return html`<dt>${i.alias ?? i.image}</dt>
      <dd class="verdict">${redact(verdict(check, write))}${how ? html`<div class="muted">${how}</div>` : ''}</dd>`;
  });
  const link = (extra: string) => `/dashboard/app?key=${encodeURIComponent(o.key)}${extra}`;
  return html`<p><a href="/dashboard">« Fleet</a></p>
    <h2>Configuration</h2>
    ${config(o.entry)} ${o.row.problems.length > 0 ? html`<p class="error">${o.row.problems.join('; ')}</p>` : ''}
    <h2>Why is it on that tag?</h2>
    ${why.length > 0 ? html`<dl class="why">${why}</dl>` : html`<p class="empty">No image tracked.</p>`}
    <h2>Timeline</h2>
    ${
      o.records.length === 0
        ? html`<p class="empty">No audit record yet.</p>`
        : table('timeline', ['When', 'Kind', 'Image', 'Tags', 'Outcome', 'Why', 'Job'], o.records.map(record))
    }
    <div class="pager">
      ${o.cursor ? html`<a href="${link('')}">« Newest</a>` : ''}${o.next ? html`<a rel="next" href="${link(`&cursor=${encodeURIComponent(o.next)}`)}">Older »</a>` : ''}
    </div>`;
}
