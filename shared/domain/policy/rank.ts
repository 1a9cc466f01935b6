import type { TagCandidate } from './types.ts';

/** What a strategy makes of the candidates that survived the filters. */
export type RankOutcome =
  | {
      ok: true;
      /** Every eligible candidate, best first. */
      ranked: TagCandidate[];
      /** How eligibility was decided, for the explanation (e.g. `5 semver tags, 2 satisfy "~1.2"`). */
      detail: string;
      warnings: string[];
    }
  | {
      ok: false;
      reason: 'invalid-input' | 'metadata-missing';
      message: string;
      invalid?: { field: string; value: string };
      warnings: string[];
    };

/** A strategy ranks candidates; `constraintField` names where the constraint came from, for messages. */
export type RankFn = (candidates: readonly TagCandidate[], constraint: string, constraintField: string) => RankOutcome;
