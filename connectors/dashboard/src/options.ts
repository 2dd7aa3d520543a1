import type { IncomingMessage } from 'node:http';
import { ConfigError } from '@botsession/core';
import { checkOptionalFunction, checkOptionFields } from '@botsession/webhook';
import type { ReportingTracker } from './report.js';

/** Decides whether a request may see the dashboard (your app's own login, an IP allowlist, …). */
export type DashboardAuth = (req: IncomingMessage) => boolean | Promise<boolean>;

export interface DashboardOptions {
  /** The session tracker whose ledger (`tracker.report`) the page shows. */
  tracker: ReportingTracker;
  /** Your own check; false → 401. One of `auth`, `token` or `public: true` is required. */
  auth?: DashboardAuth;
  /**
   * A shared secret (16+ characters): `Authorization: Bearer <token>`, or HTTP Basic with the
   * token as password (any user name), which browsers ask for by themselves.
   */
  token?: string;
  /** `true` serves the page to anyone who can reach it: say so explicitly. */
  public?: true;
  /** URL prefix (`'/dashboard'` → `/dashboard/`). Default `''`. */
  basePath?: string;
  /** The page title. Default `'botsession'`. */
  title?: string;
  /** Auto refresh of the page, seconds (the page can change it). Default 30; 0 turns it off. */
  refreshSeconds?: number;
  /** The longest range one request may ask for, days. Default 400. */
  maxRangeDays?: number;
}

export interface ResolvedOptions {
  tracker: ReportingTracker;
  authorize: DashboardAuth;
  /** Sent with a 401 so that a browser asks for the token (Basic), only in token mode. */
  challenge: string | undefined;
  basePath: string;
  title: string;
  refreshSeconds: number;
  maxRangeMs: number;
}

const FIELDS = ['tracker', 'auth', 'token', 'public', 'basePath', 'title', 'refreshSeconds', 'maxRangeDays'];
const MIN_TOKEN_LENGTH = 16;

export function resolveOptions(
  options: DashboardOptions,
  tokenCheck: (token: string) => DashboardAuth,
): ResolvedOptions {
  checkOptionFields('dashboard', options, FIELDS);
  const { tracker, auth, token } = options;
  if (typeof tracker !== 'object' || tracker === null || typeof tracker.report !== 'function') {
    throw new ConfigError(
      'tracker',
      `tracker must be a session tracker with report() (createSessionTracker()), got ${tracker === null ? 'null' : typeof tracker}`,
    );
  }
  checkOptionalFunction('auth', auth);
  if (token !== undefined && (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH)) {
    const got = typeof token === 'string' ? `${token.length} characters` : typeof token;
    throw new ConfigError(
      'token',
      `token must be a string of at least ${MIN_TOKEN_LENGTH} characters, got ${got}`,
    );
  }
  if (options.public !== undefined && options.public !== true) {
    throw new ConfigError('public', `public must be true or left out, got ${JSON.stringify(options.public)}`);
  }
  const chosen = [
    auth !== undefined && 'auth',
    token !== undefined && 'token',
    options.public && 'public',
  ].filter(Boolean);
  if (chosen.length !== 1) {
    throw new ConfigError(
      'auth',
      chosen.length === 0
        ? 'dashboard needs one of auth (a function), token (a string) or public: true; it is never open by default'
        : `dashboard takes one of auth, token or public, got ${chosen.join(' and ')}`,
    );
  }
  const basePath = options.basePath ?? '';
  if (
    typeof basePath !== 'string' ||
    (basePath !== '' && (!basePath.startsWith('/') || basePath.endsWith('/')))
  ) {
    throw new ConfigError(
      'basePath',
      `basePath must be '' or a path that starts and does not end with '/', got ${JSON.stringify(basePath)}`,
    );
  }
  const title = options.title ?? 'botsession';
  if (typeof title !== 'string' || title === '') {
    throw new ConfigError('title', `title must be a non-empty string, got ${JSON.stringify(title)}`);
  }
  const refreshSeconds = options.refreshSeconds ?? 30;
  if (typeof refreshSeconds !== 'number' || !Number.isInteger(refreshSeconds) || refreshSeconds < 0) {
    throw new ConfigError(
      'refreshSeconds',
      `refreshSeconds must be a whole number ≥ 0, got ${String(refreshSeconds)}`,
    );
  }
  const maxRangeDays = options.maxRangeDays ?? 400;
  if (typeof maxRangeDays !== 'number' || !Number.isInteger(maxRangeDays) || maxRangeDays <= 0) {
    throw new ConfigError(
      'maxRangeDays',
      `maxRangeDays must be a positive integer, got ${String(maxRangeDays)}`,
    );
  }
  return {
    tracker,
    authorize: auth ?? (token !== undefined ? tokenCheck(token) : () => true),
    challenge: token !== undefined ? 'Basic realm="botsession dashboard", charset="UTF-8"' : undefined,
    basePath,
    title,
    refreshSeconds,
    maxRangeMs: maxRangeDays * 86_400_000,
  };
}
