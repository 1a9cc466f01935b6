/**
 * The dashboard and the JSON API of the api role: the fleet, one app's timeline, the queues (with
 * retry/remove of failed jobs), registry budgets, webhook events, and `/api/v1/*`. Everything but
 * the stylesheet needs the API token (apps/api/auth/).
 */
import { type ApiAuth } from '../auth/guard.ts';
import { signInRoutes } from '../auth/sign-in.ts';
import type { Route } from '../main.ts';
import { apiRoutes } from './api-routes.ts';
import type { DashboardDeps } from './deps.ts';
import { pageRoutes } from './pages.ts';

export type { DashboardDeps } from './deps.ts';

export function dashboardRoutes(d: DashboardDeps, auth: ApiAuth): Route[] {
  return [...signInRoutes(auth), ...pageRoutes(d, auth), ...apiRoutes(d, auth)];
}
