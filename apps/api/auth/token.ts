import { readFileSync } from 'node:fs';

/**
 * The dashboard/API token: the file of `--api-token-file` (read once, at start, trimmed) wins over
 * TAGFLOW_API_TOKEN. Undefined when neither is set. A file that cannot be read or is empty is an
 * error naming the flag (the value never appears in a message).
 */
export function resolveApiToken(c: { apiToken?: string; apiTokenFile?: string }): string | undefined {
  if (c.apiTokenFile) {
    let text: string;
    try {
      text = readFileSync(c.apiTokenFile, 'utf8');
    } catch (e) {
      throw new Error(
        `--api-token-file: cannot read ${c.apiTokenFile}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    const token = text.trim();
    if (!token) throw new Error(`--api-token-file: ${c.apiTokenFile} is empty`);
    return token;
  }
  return c.apiToken?.trim() || undefined;
}
