/**
 * `metav1.Status` bodies as kube-apiserver sends them for errors, and the error class the in-memory
 * store throws so the HTTP layer can answer with the right status code and reason.
 */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message: string; field?: string }[];
    retryAfterSeconds?: number;
  };
  code: number;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function reasonFor(code: number): string {
  return REASONS[code] ?? (code >= 500 ? 'InternalError' : 'Unknown');
}

export class KubeStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason: string = reasonFor(code),
    readonly details?: KubeStatus['details'],
  ) {
    super(message);
  }

  toStatus(): KubeStatus {
    return statusBody(this.code, this.message, this.reason, this.details);
  }
}

export function statusBody(
  code: number,
  message: string,
  reason = reasonFor(code),
  details?: KubeStatus['details'],
): KubeStatus {
  const body: KubeStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) body.details = details;
  return body;
}

/** `applications.argoproj.io` / `secrets` — how the apiserver names a resource in messages. */
export function qualifiedResource(group: string, plural: string): string {
  return group ? `${plural}.${group}` : plural;
}

export function notFound(group: string, plural: string, name: string): KubeStatusError {
  return new KubeStatusError(404, `${qualifiedResource(group, plural)} "${name}" not found`, 'NotFound', {
    name,
    group,
    kind: plural,
  });
}

export function alreadyExists(group: string, plural: string, name: string): KubeStatusError {
  return new KubeStatusError(409, `${qualifiedResource(group, plural)} "${name}" already exists`, 'AlreadyExists', {
    name,
    group,
    kind: plural,
  });
}

export function conflict(group: string, plural: string, name: string): KubeStatusError {
  return new KubeStatusError(
    409,
    `Operation cannot be fulfilled on ${qualifiedResource(group, plural)} "${name}": the object has been modified; ` +
      'please apply your changes to the latest version and try again',
    'Conflict',
    { name, group, kind: plural },
  );
}

/** errors.NewInvalid: named by kind (`Application.argoproj.io "x" is invalid: …`), not by resource. */
export function invalid(group: string, kind: string, name: string, cause: string): KubeStatusError {
  return new KubeStatusError(422, `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${cause}`, 'Invalid', {
    name,
    group,
    kind,
    causes: [{ message: cause }],
  });
}

export function badRequest(message: string): KubeStatusError {
  return new KubeStatusError(400, message, 'BadRequest');
}
