import { PermanentError } from '../../errors.ts';

/**
 * Bad selection input (constraint, allow-tags, ignore-tags, platforms, image reference).
 * `field` names where the value came from (an annotation key when the caller knows it).
 * Retrying cannot fix it, so it is a PermanentError with the stable code `policy.invalid`.
 */
export class PolicyError extends PermanentError {
  constructor(
    readonly field: string,
    readonly value: string,
    /** The reason alone, without field and value. */
    readonly detail: string,
  ) {
    super('policy.invalid', `invalid ${field} ${JSON.stringify(value)}: ${detail}`);
  }
}
