/**
 * The checks of a `tagflow test` question that need no network: the image reference, the update
 * strategy and the credential source. Each refusal is a TestCommandError naming the field.
 */
import { parseImageRef, tagProblem, validateImageRef, type ImageRef } from '../../../shared/domain/image/image-ref.ts';
import { MAX_IMAGE_REFERENCE_LENGTH, quoteForMessage } from '../../../shared/domain/input-limits.ts';
import { parseStrategy, STRATEGY_NAMES, type StrategyName } from '../../../shared/domain/policy/index.ts';
import { parseCredentialSource } from '../../../shared/domain/registry/index.ts';

/** Bad input or an unanswerable question: printed as ONE line on stderr, exit code 1. */
export class TestCommandError extends Error {}

/** IMAGE as a reference whose name, tag and digest are all valid (its tag is a tag, not a constraint). */
export function checkImage(image: string): ImageRef {
  const refuse = (why: string): never => {
    throw new TestCommandError(`invalid image reference ${quoteForMessage(image)}: ${why}`);
  };
  if (image.length > MAX_IMAGE_REFERENCE_LENGTH)
    refuse(`it is ${image.length} characters long; at most ${MAX_IMAGE_REFERENCE_LENGTH} are allowed`);
  const ref = parseImageRef(image);
  const invalid = validateImageRef(ref);
  if (invalid) refuse(invalid);
  const badTag = ref.tag ? tagProblem(ref.tag) : null;
  if (badTag) refuse(`${badTag}; give a version constraint with --semver-constraint`);
  return ref;
}

/** --update-strategy: one of the strategies or a deprecated alias (with its warning); anything else is refused. */
export function checkStrategy(value: string | undefined): { strategy: StrategyName; warning?: string } {
  const parsed = parseStrategy(value);
  const given = (value ?? '').trim().toLowerCase();
  // parseStrategy falls back to semver for an unknown name (as the anchor does, with a warning)
  if (parsed.strategy === 'semver' && given !== '' && given !== 'semver') {
    throw new TestCommandError(
      `invalid --update-strategy ${quoteForMessage(value ?? '')}: expected one of ${STRATEGY_NAMES.join(', ')} (or the deprecated latest, name)`,
    );
  }
  return parsed;
}

/** --credentials: parsed up front, so a malformed source is refused before any request. */
export function checkCredentials(spec: string): void {
  try {
    parseCredentialSource(spec, false);
  } catch (e) {
    throw new TestCommandError(`invalid --credentials ${quoteForMessage(spec)}: ${(e as Error).message}`);
  }
}
