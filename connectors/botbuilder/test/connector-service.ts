import type { Activity } from 'botbuilder';
import { listenLocal } from '../../../test/support/local-server.js';

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
  const { url, close } = await listenLocal((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      posted.push({ path: req.url ?? '', activity: body === '' ? {} : JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `reply-${posted.length}` }));
    });
  });
  return { url: `${url}/`, posted, close };
}
