/**
 * registries.conf (argocd-image-updater format): strict YAML with a top-level `registries:` list.
 * Unknown keys, wrong types and the anchor's validation failures are errors that name the field
 * and the entry. Throws PermanentError with code 'config.registries'.
 */
import { parse } from 'yaml';
import { PermanentError } from '../../errors.ts';
import { exceedsBytes, formatBytes, MAX_REGISTRIES_CONF_BYTES } from '../input-limits.ts';
import { parseTagSortMode, type RegistryEndpoint } from './endpoint.ts';
import { parseGoDuration } from './go-duration.ts';

type FieldType = 'string' | 'bool' | 'int' | 'duration';

const FIELDS: Record<string, FieldType> = {
  name: 'string',
  api_url: 'string',
  prefix: 'string',
  ping: 'bool',
  credentials: 'string',
  credsexpire: 'duration',
  tagsortmode: 'string',
  insecure: 'bool',
  ca_file: 'string',
  ca_data: 'string',
  defaultns: 'string',
  limit: 'int',
  default: 'bool',
};

type RawEntry = Partial<Record<keyof typeof FIELDS, string | number | boolean>>;

const fail = (message: string): never => {
  throw new PermanentError('config.registries', `registries.conf: ${message}`);
};

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function entryLabel(index: number, raw: Record<string, unknown>): string {
  return typeof raw.name === 'string' && raw.name !== ''
    ? `entry #${index + 1} (${JSON.stringify(raw.name)})`
    : `entry #${index + 1}`;
}

const YAML11_TRUE = new Set(['y', 'yes', 'on', 'true']);
const YAML11_FALSE = new Set(['n', 'no', 'off', 'false']);

function readField(key: string, type: FieldType, value: unknown, where: string): string | number | boolean {
  const bad = (want: string): never => fail(`field "${key}" of ${where} must be ${want}, got ${JSON.stringify(value)}`);
  switch (type) {
    case 'string':
      // go-yaml decodes plain scalars such as `prefix: 10.0.0.1` into string fields
      return typeof value === 'string'
        ? value
        : typeof value === 'number' || typeof value === 'boolean'
          ? String(value)
          : bad('a string');
    case 'bool': {
      // The anchor decodes with go-yaml v2 (YAML 1.1): `insecure: no`, as the seed writes it, is a boolean.
      if (typeof value === 'boolean') return value;
      const word = typeof value === 'string' ? value.toLowerCase() : '';
      if (YAML11_TRUE.has(word)) return true;
      if (YAML11_FALSE.has(word)) return false;
      return bad('true or false');
    }
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) ? value : bad('an integer');
    case 'duration': {
      if (typeof value === 'number' && Number.isInteger(value)) return value / 1e6; // a bare integer is nanoseconds in Go
      const ms = typeof value === 'string' ? parseGoDuration(value) : null;
      if (ms === null) return bad('a duration such as 30m or 5h');
      if (ms < 0) return bad('a duration that is not negative');
      return ms;
    }
  }
}

function readEntry(raw: unknown, index: number): RawEntry {
  if (!isMap(raw)) return fail(`entry #${index + 1} must be a mapping of fields, got ${JSON.stringify(raw)}`);
  const where = entryLabel(index, raw);
  const entry: RawEntry = {};
  for (const [key, value] of Object.entries(raw)) {
    const type = FIELDS[key];
    if (!type) return fail(`unknown field "${key}" in ${where} (known fields: ${Object.keys(FIELDS).join(', ')})`);
    if (value === null || value === undefined) continue;
    entry[key] = readField(key, type, value, where);
  }
  return entry;
}

export function parseRegistriesConf(text: string): RegistryEndpoint[] {
  if (exceedsBytes(text, MAX_REGISTRIES_CONF_BYTES))
    fail(`the text is larger than ${formatBytes(MAX_REGISTRIES_CONF_BYTES)}; refusing to parse it`);
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: true, prettyErrors: false });
  } catch (e) {
    return fail(`invalid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (doc === null || doc === undefined) return [];
  if (!isMap(doc)) return fail('the document must be a mapping with a "registries" list');
  for (const key of Object.keys(doc))
    if (key !== 'registries') fail(`unknown top-level field "${key}" (expected "registries")`);
  const list = doc.registries ?? [];
  if (!Array.isArray(list)) return fail('"registries" must be a list');

  const entries = list.map(readEntry);
  let prefixless: string | undefined;
  let defaultEntry: RegistryEndpoint | undefined;
  return entries.map((e, i) => {
    const name = (e.name as string | undefined) ?? '';
    const apiUrl = (e.api_url as string | undefined) ?? '';
    const prefix = (e.prefix as string | undefined) ?? '';
    if (name === '') fail(`registry name is missing for entry #${i + 1} (field "name")`);
    if (apiUrl === '') fail(`API URL must be specified for registry ${name} (field "api_url" of entry #${i + 1})`);
    if (prefix === '') {
      if (prefixless !== undefined)
        fail(`there must be only one default registry (already is ${prefixless}), ${name} needs a prefix`);
      prefixless = name;
    }
    const sortText = (e.tagsortmode as string | undefined) ?? '';
    const tagSortMode = parseTagSortMode(sortText);
    if (tagSortMode === 'unknown') {
      fail(
        `unknown tag sort mode for registry ${name}: ${sortText} (field "tagsortmode"; use latest-first, latest-last or none)`,
      );
    }
    const limit = e.limit as number | undefined;
    const endpoint: RegistryEndpoint = {
      name,
      apiUrl: apiUrl.replace(/\/$/, ''),
      prefix,
      credsExpireMs: (e.credsexpire as number | undefined) ?? 0,
      tagSortMode: tagSortMode as RegistryEndpoint['tagSortMode'],
      insecure: e.insecure === true,
      isDefault: e.default === true,
      ...(e.credentials ? { credentials: e.credentials as string } : {}),
      ...(e.ca_file ? { caFile: e.ca_file as string } : {}),
      ...(e.ca_data ? { caData: e.ca_data as string } : {}),
      ...(e.defaultns ? { defaultNs: e.defaultns as string } : {}),
      ...(limit !== undefined && limit > 0 ? { limit } : {}),
      ...(e.ping !== undefined ? { ping: e.ping as boolean } : {}),
    };
    if (endpoint.isDefault) {
      if (defaultEntry) {
        fail(
          `cannot set registry ${prefix} as default - only one default registry allowed, currently set to ${defaultEntry.prefix}`,
        );
      }
      defaultEntry = endpoint;
    }
    return endpoint;
  });
}
