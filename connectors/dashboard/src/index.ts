import type { NodeHandler } from '@botsession/webhook';
import { tokenAuth } from './auth.js';
import { createHandler } from './handler.js';
import { type DashboardOptions, resolveOptions } from './options.js';

export type { DashboardData } from './api.js';
export type { DashboardAuth, DashboardOptions } from './options.js';
export type { ReportingTracker } from './report.js';

/** The Node `(req, res, next?)` handler `dashboard()` returns: plain node:http or `app.use(...)`. */
export type DashboardHandler = NodeHandler;

/**
 * The dashboard: one page with charts of the tracker's ledger (`tracker.report`) — sessions per
 * channel, end reasons, duration and interactions percentiles, handoff/containment and survey
 * rates, active sessions — with a time-range picker and auto refresh. Never open by default:
 * give `auth`, `token` or `public: true` (a ConfigError otherwise); a refused request gets 401.
 *
 * @example
 * const tracker = createSessionTracker({ backend: redisBackend({ connection: process.env.REDIS_URL }) });
 * const page = dashboard({ tracker, token: process.env.DASHBOARD_TOKEN!, basePath: '/dashboard' });
 * http.createServer(page).listen(3000); // or app.use(page); open http://localhost:3000/dashboard/
 */
export function dashboard(options: DashboardOptions): DashboardHandler {
  return createHandler(resolveOptions(options, tokenAuth));
}
