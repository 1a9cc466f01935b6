/** The options of `tagflow test`, as commander hands them over. */
export interface TestFlags {
  updateStrategy?: string;
  semverConstraint?: string;
  allowTags?: string;
  ignoreTags: string[];
  platforms?: string;
  credentials?: string;
  registriesConfPath?: string;
  kubeconfig?: string;
  output: string;
}

/** Where the anchor's Deployment mounts registries.conf. */
export const DEFAULT_CONF = '/app/config/registries.conf';
