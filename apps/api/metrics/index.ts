export { metricsRoutes } from './routes.ts';
export { readinessCheck, type Readiness, type ReadinessDeps } from './readiness.ts';
export { startMetricsServer, type MetricsServerDeps } from './server.ts';
