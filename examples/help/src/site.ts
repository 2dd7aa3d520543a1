import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionTracker } from '@botsession/core';
import { type HelpCenterOptions, helpCenter } from '@botsession/help';
import { articleBySlug } from './articles.js';
import { articlePage, homePage } from './pages.js';

export interface HelpCenterSiteOptions {
  tracker: SessionTracker;
  /** Passed to helpCenter(): called for every counted event. */
  onEvent?: HelpCenterOptions['onEvent'];
}

export interface RunningSite {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/** The example help center as one Node request handler: botsession's routes first, then the pages. */
export function helpCenterSite(
  options: HelpCenterSiteOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const help = helpCenter(
    options.onEvent ? { tracker: options.tracker, onEvent: options.onEvent } : { tracker: options.tracker },
  );
  const trackerSrc = '/botsession/tracker.js';
  return (req, res) => {
    help(req, res, (error) => {
      if (error === undefined) return servePage(req, res, trackerSrc);
      // An onEvent that throws: the session already ended as `interrupted`; the page gets a 500.
      console.error(error);
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}');
    });
  };
}

function servePage(req: IncomingMessage, res: ServerResponse, trackerSrc: string): void {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const article = path.startsWith('/articles/') ? articleBySlug(path.slice('/articles/'.length)) : undefined;
  const html = path === '/' ? homePage(trackerSrc) : article ? articlePage(article, trackerSrc) : undefined;
  res.writeHead(html === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html ?? '<!doctype html><title>Not found</title><p>No such page. <a href="/">Home</a></p>');
}

/** Starts the site on `host:port` (port 0: any free port). */
export function startHelpCenterSite(
  options: HelpCenterSiteOptions & { host?: string; port?: number },
): Promise<RunningSite> {
  const server = createServer(helpCenterSite(options));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const { address, port } = server.address() as AddressInfo;
      resolve({
        server,
        url: `http://${address}:${port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
