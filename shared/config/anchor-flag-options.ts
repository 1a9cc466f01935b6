/**
 * argocd-image-updater's flags as commander options (table: anchor-flag-table.ts).
 *
 * Two commander behaviours this works around, both pinned by the tests:
 *   - a plain boolean option (`.option('--once')`) rejects `--once=false`, which pflag accepts; so every bool
 *     flag here is `--flag [bool]` with Go's strconv.ParseBool spellings (anchorBooleanOption);
 *   - the anchor's own install manifest puts a `run` flag *before* the subcommand
 *     (`--metrics-bind-address=:8443 run`), which cobra allows and commander rejects; hoistAnchorFlags moves it.
 *
 * Help: flags tagflow implements are listed under "argocd-image-updater compatibility:"; ignored ones are
 * hidden, because a screen of no-ops would bury the flags that work, and passing one prints its warning.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ANCHOR_FLAGS, anchorFlag, type AnchorCommand, type AnchorFlag } from './anchor-flag-table.ts';

export const COMPAT_HELP_GROUP = 'argocd-image-updater compatibility:';

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A bool flag's value, spelled as Go's strconv.ParseBool accepts it (what pflag uses for `--flag=value`). */
export function parseAnchorBool(value: string): boolean {
  if (GO_TRUE.has(value)) return true;
  if (GO_FALSE.has(value)) return false;
  throw new InvalidArgumentError(`expected true or false, got "${value}"`);
}

/** `--flag`, `--flag=true` and `--flag=false` all work; use it for tagflow's own bool flags too. */
export function anchorBooleanOption(flag: string, description?: string): Option {
  return new Option(`${flag} [bool]`, description).argParser(parseAnchorBool);
}

const PLACEHOLDER = { string: 'value', int: 'n', duration: 'duration', list: 'value' } as const;
const collect = (v: string, prev: unknown) => [...(Array.isArray(prev) ? prev : []), v];

function optionFor(row: AnchorFlag): Option {
  const description =
    row.treatment === 'ignored' ? `ignored: ${row.reason}` : row.env ? `${row.reason} (env ${row.env})` : row.reason;
  const option =
    row.kind === 'bool'
      ? anchorBooleanOption(`--${row.flag}`, description)
      : new Option(`--${row.flag} <${PLACEHOLDER[row.kind]}>`, description);
  if (row.kind === 'list') option.argParser(collect);
  return row.treatment === 'tagflow' ? option.helpGroup(COMPAT_HELP_GROUP) : option.hideHelp();
}

/**
 * Adds every table flag of `command` to `cmd`, except those in `skip` (names with or without `--`) and those
 * `cmd` already defines, so tagflow's own definition always wins.
 */
export function registerAnchorFlags(cmd: Command, skip: ReadonlySet<string>, command: AnchorCommand = 'run'): void {
  const skipped = new Set([...skip].map((s) => s.replace(/^--/, '')));
  for (const o of cmd.options) if (o.long) skipped.add(o.long.slice(2));
  for (const row of ANCHOR_FLAGS)
    if (row.commands.includes(command) && !skipped.has(row.flag)) cmd.addOption(optionFor(row));
}

/**
 * Moves table flags written before `command` to just after it (`--metrics-bind-address=:8443 run` →
 * `run --metrics-bind-address=:8443`), as cobra resolves them. Everything else keeps its place and order;
 * args whose first operand is not `command` come back unchanged.
 */
export function hoistAnchorFlags(args: readonly string[], command = 'run'): string[] {
  const kept: string[] = [];
  const hoisted: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === command) return [...kept, command, ...hoisted, ...args.slice(i + 1)];
    if (arg === '--') break;
    const row = arg.startsWith('--') ? anchorFlag(arg.slice(2).split('=')[0]) : undefined;
    if (!row) {
      // An operand before `command` means another subcommand (`test IMAGE`): leave everything alone.
      if (!arg.startsWith('-')) return [...args];
      kept.push(arg);
      continue;
    }
    hoisted.push(arg);
    if (row.kind !== 'bool' && !arg.includes('=') && i + 1 < args.length) hoisted.push(args[++i]);
  }
  return [...args];
}

/** Markdown table of every anchor flag and what tagflow does with it (for the README). */
export function anchorFlagTable(): string {
  const rows = ['| flag | anchor | env | tagflow |', '|---|---|---|---|'];
  for (const r of ANCHOR_FLAGS) {
    const arity = r.kind === 'bool' ? '[=true|false]' : ` <${PLACEHOLDER[r.kind]}>${r.kind === 'list' ? '…' : ''}`;
    const lines = r.lines.length ? r.lines.join(', ') : 'tagflow only';
    const what = r.treatment === 'ignored' ? `ignored: ${r.reason}` : r.reason;
    rows.push(
      `| \`--${r.flag}${arity}\` | ${lines} | ${r.env ? `\`${r.env}\`` : '—'} | ${what.replace(/\|/g, '\\|')} |`,
    );
  }
  return rows.join('\n');
}
