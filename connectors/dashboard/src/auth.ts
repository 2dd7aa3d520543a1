import type { IncomingMessage } from 'node:http';
import { headerOf, safeEqual } from '@botsession/webhook';
import type { DashboardAuth } from './options.js';

/**
 * The `token` option's check: `Bearer <token>` for scripts and probes, or HTTP Basic with the
 * token as the password, which a browser prompts for on the 401 and then sends with every
 * request of the page (its assets and data calls too). Compared in constant time.
 */
export function tokenAuth(token: string): DashboardAuth {
  return (req: IncomingMessage) => {
    const header = headerOf(req.headers, 'authorization') ?? '';
    const [scheme = '', credentials = ''] = header.split(' ', 2);
    if (scheme.toLowerCase() === 'bearer') return safeEqual(credentials, token);
    if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon >= 0 && safeEqual(decoded.slice(colon + 1), token);
    }
    return false;
  };
}
