/**
 * A real HTTP server for tests on 127.0.0.1, on a port the OS picks, so test files running in
 * parallel never collide. Used for the connectors under test and for fake platform APIs alike.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  port: number;
  server: Server;
  /** Closes the server and its open sockets; safe to call twice. */
  close(): Promise<void>;
}

const open = new Set<LocalServer>();

/**
 * Listens with a Node handler (an Express app is one) or an existing server.
 *
 * ```ts
 * const { url } = await listenLocal((req, res) => res.end('ok'));
 * afterEach(closeAllLocalServers);
 * ```
 */
export async function listenLocal(handlerOrServer: RequestListener | Server): Promise<LocalServer> {
  const server = typeof handlerOrServer === 'function' ? createServer(handlerOrServer) : handlerOrServer;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const local: LocalServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close() {
      open.delete(local);
      return closeServer(server);
    },
  };
  open.add(local);
  return local;
}

/** Closes every server `listenLocal` opened and that is still open: one line in an `afterEach`. */
export async function closeAllLocalServers(): Promise<void> {
  await Promise.all([...open].map((local) => local.close()));
}

function closeServer(server: Server): Promise<void> {
  // A test may already have closed it (to simulate an outage); closing again is not a failure.
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // close() alone waits for sockets still busy (a request a test left hanging); a teardown should not.
    server.closeAllConnections();
  });
}
