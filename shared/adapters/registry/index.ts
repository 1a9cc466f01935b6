export { OciRegistryClient, type OciRegistryClientOptions } from './oci-registry-client.ts';
export {
  createRegistryClient,
  readPemCertificates,
  ARGOCD_TLS_CERTS_DIR,
  type ClientSettings,
} from './create-registry-client.ts';
export {
  CredentialsResolver,
  EXT_SCRIPT_TIMEOUT_MS,
  type CredentialsResolverDeps,
  type ResolveOptions,
} from './credentials.ts';
export type { CredentialProvider, RequestEvent, RequestKind, RequestStats } from './registry-session.ts';
export { MANIFEST_ACCEPT, MEDIA_TYPES } from './schema.ts';
