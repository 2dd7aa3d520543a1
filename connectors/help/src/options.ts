import type { IncomingMessage } from 'node:http';
import { ConfigError, type SessionStamp, type SessionTracker } from '@botsession/core';
import { checkOptionalFunction, checkOptionFields, checkTracker } from '@botsession/webhook';
import type { HelpSource } from './map.js';
import type { HelpEvent } from './protocol.js';

/** What `onEvent` receives with each event. */
export interface HelpEventContext {
  /** The tab (and user) the event came from; `refOf(source)` gives its ConversationRef. */
  source: HelpSource;
  /** The session stamp, or undefined when the session store is down. */
  stamp: SessionStamp | undefined;
  req: IncomingMessage;
}

export interface HelpCenterOptions {
  /** The session tracker from `@botsession/core`. */
  tracker: SessionTracker;
  /** Where the handler answers: `${basePath}/tracker.js` and `${basePath}/events`. Default `/botsession`. */
  basePath?: string;
  /** Called for every counted event, after it is tracked. A throw ends the session (`interrupted`). */
  onEvent?: (event: HelpEvent, context: HelpEventContext) => void | Promise<void>;
  /** The signed-in user of a request, when the site has one (for example from its own session cookie). */
  userIdOf?: (req: IncomingMessage) => string | undefined;
  /** Largest accepted events body. Default 16 KiB. */
  maxBodyBytes?: number;
}

export interface ResolvedOptions {
  tracker: SessionTracker;
  basePath: string;
  onEvent: HelpCenterOptions['onEvent'];
  userIdOf: HelpCenterOptions['userIdOf'];
  maxBodyBytes: number;
}

const FIELDS = ['tracker', 'basePath', 'onEvent', 'userIdOf', 'maxBodyBytes'];
const BASE_PATH = /^\/[A-Za-z0-9._~\-/]*$/;

/** Checks the options at construction: a bad one throws ConfigError naming the field. */
export function resolveOptions(options: HelpCenterOptions): ResolvedOptions {
  checkOptionFields('helpCenter', options, FIELDS);
  const { tracker, onEvent, userIdOf } = options;
  checkTracker(tracker);
  const rawBasePath = options.basePath ?? '/botsession';
  if (typeof rawBasePath !== 'string' || !BASE_PATH.test(rawBasePath)) {
    throw new ConfigError(
      'basePath',
      `basePath must be a URL path starting with / (letters, digits, . _ ~ - /), got ${JSON.stringify(options.basePath)}`,
    );
  }
  // `/botsession/` and `/botsession` are the same mount point; `/` mounts at the root.
  const basePath = rawBasePath.replace(/\/+$/, '');
  checkOptionalFunction('onEvent', onEvent);
  checkOptionalFunction('userIdOf', userIdOf);
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 256) {
    throw new ConfigError(
      'maxBodyBytes',
      `maxBodyBytes must be an integer of at least 256, got ${String(maxBodyBytes)}`,
    );
  }
  return { tracker, basePath, onEvent, userIdOf, maxBodyBytes };
}
