/** The update strategies (reference §4.3). */
export type StrategyName = 'semver' | 'newest-build' | 'alphabetical' | 'digest';
