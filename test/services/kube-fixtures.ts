/** Core objects the test fixtures put on the Kubernetes API test server. */

/** An Opaque Secret holding `values` (base64-encoded into `data`, as the API server stores them). */
export function opaqueSecret(namespace: string, name: string, values: Record<string, string>) {
  const data = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', data };
}

/** The updater's ConfigMap (`argocd-image-updater-config`) with the given registries.conf. */
export function updaterConfig(namespace: string, registriesConf: string) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-image-updater-config', namespace },
    data: { 'registries.conf': registriesConf },
  };
}
