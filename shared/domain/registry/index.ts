export * from './endpoint.ts';
export * from './registries-conf.ts';
export * from './credential-source.ts';
export * from './docker-config.ts';
export { parseGoDuration } from './go-duration.ts';
