/**
 * Query parameters of list and watch requests, decoded and validated as kube-apiserver does it
 * (metainternalversion ListOptions + validation.ValidateListOptions with the WatchList feature on):
 * bad values are 400, forbidden combinations 422 `ListOptions.meta.k8s.io "" is invalid`, a
 * resourceVersion the store has not reached yet 504 "Too large resource version".
 */
import { KubeStatusError, badRequest } from './kube-status.ts';

export interface WatchOptions {
  /** '' when not given. */
  resourceVersion: string;
  allowWatchBookmarks: boolean;
  /** undefined when not given (plain watch semantics). */
  sendInitialEvents: boolean | undefined;
  /** 0 = no timeout. */
  timeoutSeconds: number;
}

interface FieldError {
  field: string;
  type: 'FieldValueForbidden' | 'FieldValueNotSupported';
  /** ErrorBody() of field.Error: `Forbidden: …` / `Unsupported value: "x": supported values: …`. */
  body: string;
}

const NOT_OLDER_THAN = 'NotOlderThan';
const EXACT = 'Exact';

/** strconv.ParseBool, which the query parameter conversion uses. */
export function parseBool(name: string, raw: string | null): boolean | undefined {
  if (raw === null) return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(raw)) return false;
  throw badRequest(`${name}: strconv.ParseBool: parsing "${raw}": invalid syntax`);
}

function parseRv(raw: string | null): string {
  const rv = raw ?? '';
  if (rv !== '' && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
  return rv;
}

function invalidListOptions(errors: FieldError[]): KubeStatusError {
  const messages = errors.map((e) => `${e.field}: ${e.body}`);
  const aggregate = messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
  return new KubeStatusError(422, `ListOptions.meta.k8s.io "" is invalid: ${aggregate}`, 'Invalid', {
    group: 'meta.k8s.io',
    kind: 'ListOptions',
    causes: errors.map((e) => ({ reason: e.type, message: e.body, field: e.field })),
  });
}

const forbidden = (field: string, detail: string): FieldError => ({
  field,
  type: 'FieldValueForbidden',
  body: `Forbidden: ${detail}`,
});
const unsupported = (field: string, value: string, supported: string[]): FieldError => ({
  field,
  type: 'FieldValueNotSupported',
  body: `Unsupported value: "${value}": supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
});

/** A resourceVersion ahead of the store: the watch cache would wait for it, then give up. */
export function checkNotTooLarge(rv: string, current: number): void {
  if (rv === '' || Number(rv) <= current) return;
  throw new KubeStatusError(504, `Timeout: Too large resource version: ${rv}, current: ${current}`, 'Timeout', {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

export function parseWatchOptions(params: URLSearchParams, currentRv: number): WatchOptions {
  const resourceVersion = parseRv(params.get('resourceVersion'));
  const allowWatchBookmarks = parseBool('allowWatchBookmarks', params.get('allowWatchBookmarks')) ?? false;
  const sendInitialEvents = parseBool('sendInitialEvents', params.get('sendInitialEvents'));
  const match = params.get('resourceVersionMatch') ?? '';
  const errors: FieldError[] = [];
  if (sendInitialEvents !== undefined && match !== NOT_OLDER_THAN) {
    errors.push(
      forbidden('resourceVersionMatch', `sendInitialEvents requires setting resourceVersionMatch to ${NOT_OLDER_THAN}`),
    );
  }
  if (match !== '') {
    if (sendInitialEvents === undefined)
      errors.push(
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
        ),
      );
    if (match !== NOT_OLDER_THAN) errors.push(unsupported('resourceVersionMatch', match, [NOT_OLDER_THAN]));
    if (params.get('continue'))
      errors.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
  }
  if (errors.length > 0) throw invalidListOptions(errors);
  const timeout = params.get('timeoutSeconds');
  if (timeout !== null && !/^\d+$/.test(timeout))
    throw badRequest(`timeoutSeconds: strconv.ParseInt: parsing "${timeout}": invalid syntax`);
  checkNotTooLarge(resourceVersion, currentRv);
  return { resourceVersion, allowWatchBookmarks, sendInitialEvents, timeoutSeconds: Number(timeout ?? '0') };
}

/** Validates a (non-watch) list request's options. */
export function checkListOptions(params: URLSearchParams, currentRv: number): void {
  const resourceVersion = parseRv(params.get('resourceVersion'));
  const match = params.get('resourceVersionMatch') ?? '';
  const errors: FieldError[] = [];
  if (match !== '') {
    if (resourceVersion === '')
      errors.push(
        forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'),
      );
    if (params.get('continue'))
      errors.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== EXACT && match !== NOT_OLDER_THAN)
      errors.push(unsupported('resourceVersionMatch', match, [EXACT, NOT_OLDER_THAN, '']));
    if (match === EXACT && resourceVersion === '0')
      errors.push(
        forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'),
      );
  }
  if (params.get('sendInitialEvents') !== null)
    errors.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  if (errors.length > 0) throw invalidListOptions(errors);
  if (resourceVersion !== '0') checkNotTooLarge(resourceVersion, currentRv);
  // An Exact list of an older revision would need the old state, which this store does not keep.
  if (match === EXACT && resourceVersion !== '' && Number(resourceVersion) !== currentRv) {
    throw new KubeStatusError(410, `too old resource version: ${resourceVersion} (${currentRv})`, 'Expired');
  }
}
