import type { Activity } from '@microsoft/agents-activity';
import { listenLocal } from '../../../test/support/local-server.js';

/** One activity the agent posted to the channel's connector service. */
export interface PostedActivity {
  path: string;
  activity: Partial<Activity>;
}

/**
 * A local stand-in for the channel's Connector REST service (`POST /v3/conversations/{id}/activities`,
 * the `serviceUrl` Teams or Azure Bot Service give in each activity), so a real CloudAdapter can
 * send its replies somewhere: point `activity.serviceUrl` at `url`. Methods in `failing` answer 502.
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference
 */
export interface ConnectorService {
  url: string;
  posted: PostedActivity[];
  /** Answer every post with 502, as a connector outage would. */
  failing: boolean;
  /** The text of every posted message, in order. */
  texts(): string[];
  close(): Promise<void>;
}

export async function startConnectorService(): Promise<ConnectorService> {
  const posted: PostedActivity[] = [];
  const service = { failing: false };
  const { url, close } = await listenLocal((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (service.failing) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'ServiceError', message: 'Bad gateway' } }));
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      posted.push({ path: req.url ?? '', activity: body === '' ? {} : JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `reply-${posted.length}` }));
    });
  });
  return Object.assign(service, {
    url: `${url}/`,
    posted,
    texts: () => posted.filter((p) => p.activity.type === 'message').map((p) => String(p.activity.text)),
    close,
  });
}
