import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';

/** One activity the bot posted to the Bot Connector service. */
export interface PostedActivity {
  path: string;
  activity: Partial<Activity>;
}

/**
 * A local stand-in for the Bot Connector REST service (`POST /v3/conversations/{id}/activities`),
 * so a real CloudAdapter can send its replies somewhere: point `activity.serviceUrl` at `url`.
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference
 */
export interface ConnectorService {
  url: string;
  posted: PostedActivity[];
  close(): Promise<void>;
}

export async function startConnectorService(): Promise<ConnectorService> {
  const posted: PostedActivity[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      posted.push({ path: req.url ?? '', activity: body === '' ? {} : JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `reply-${posted.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    posted,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
