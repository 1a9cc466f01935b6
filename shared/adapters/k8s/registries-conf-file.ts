/**
 * Reading a `--registries-conf-path` file, apart from the ConfigMap watch of
 * registries-conf-source.ts so that `tagflow test` reads one without loading client-node.
 */
import { readFileSync, statSync } from 'node:fs';
import { formatBytes, MAX_REGISTRIES_CONF_BYTES } from '../../domain/input-limits.ts';
import { PermanentError } from '../../errors.ts';

/**
 * The text of a registries.conf file, null when there is none. A file over the size cap is refused
 * before it is read (a PermanentError naming it); other read errors are thrown as they are.
 */
export function readRegistriesConfFile(path: string): string | null {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (size > MAX_REGISTRIES_CONF_BYTES)
    throw new PermanentError(
      'config.registries-conf',
      `invalid registries.conf ${JSON.stringify(path)}: the file is larger than ${formatBytes(MAX_REGISTRIES_CONF_BYTES)} (${size} bytes)`,
    );
  return readFileSync(path, 'utf8');
}
