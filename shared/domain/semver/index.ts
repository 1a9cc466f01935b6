export { parseVersion, compareVersions, compareVersionsForSort, compareStrings, type Version } from './version.ts';
export { parseConstraint, ANY_RELEASE, type Constraint } from './constraint.ts';
