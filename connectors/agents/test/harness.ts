/**
 * One agent per test: a real CloudAdapter serving `POST /api/messages` through Express (as
 * `@microsoft/agents-hosting-express` does), with no app id so auth is anonymous (a local dev
 * setup), posting its replies to a local connector service. A real tracker records what happened.
 */

import { BotSessionMiddleware, type BotSessionMiddlewareOptions } from '@botsession/agents';
import {
  type Backend,
  type ChannelPolicyOverride,
  createSessionTracker,
  type Session,
  type SessionTracker,
} from '@botsession/core';
import type { Activity, ConversationReference } from '@microsoft/agents-activity';
import { CloudAdapter, type TurnContext } from '@microsoft/agents-hosting';
import express from 'express';
import { type LocalServer, listenLocal } from '../../../test/support/local-server.js';
import { type ConnectorService, startConnectorService } from './connector-service.js';
import { fixture } from './fixtures.js';

export type Logic = (context: TurnContext) => Promise<void>;

export interface Harness {
  adapter: CloudAdapter;
  tracker: SessionTracker;
  connector: ConnectorService;
  started: Session[];
  ended: Session[];
  errors: Error[];
  /** The turn logic every posted activity runs; replace it per test. */
  logic: Logic;
  /** POSTs a fixture (or activity) to the agent's endpoint as the channel would; resolves to the HTTP answer. */
  deliver(activity: string | Partial<Activity>, overrides?: Partial<Activity>): Promise<Response>;
  /** The conversation reference of a fixture, pointed at the local connector. */
  referenceOf(name: string): ConversationReference;
  close(): Promise<void>;
}

export interface HarnessOptions {
  backend?: Backend;
  channels?: Record<string, ChannelPolicyOverride>;
  middleware?: BotSessionMiddlewareOptions;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const connector = await startConnectorService();
  const tracker = createSessionTracker({
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.channels ? { channels: options.channels } : {}),
  });
  const started: Session[] = [];
  const ended: Session[] = [];
  const errors: Error[] = [];
  tracker.on('sessionStart', (session) => void started.push(session));
  tracker.on('sessionEnd', (session) => void ended.push(session));
  tracker.on('error', (error) => void errors.push(error));
  const adapter = new CloudAdapter();
  adapter.use(new BotSessionMiddleware(tracker, options.middleware));

  const app = express();
  app.use(express.json());
  const harness = { logic: (async () => {}) as Logic };
  app.post('/api/messages', (req, res) => adapter.process(req, res, (context) => harness.logic(context)));
  const server: LocalServer = await listenLocal(app);

  return Object.assign(harness, {
    adapter,
    tracker,
    connector,
    started,
    ended,
    errors,
    deliver(activity: string | Partial<Activity>, overrides: Partial<Activity> = {}) {
      const body =
        typeof activity === 'string' ? fixture(activity, overrides) : { ...activity, ...overrides };
      return fetch(`${server.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, serviceUrl: connector.url }),
      });
    },
    referenceOf(name: string): ConversationReference {
      const activity = fixture(name);
      return {
        activityId: activity.id,
        user: activity.from,
        agent: activity.recipient,
        conversation: activity.conversation,
        channelId: activity.channelId,
        locale: activity.locale,
        serviceUrl: connector.url,
      } as ConversationReference;
    },
    async close() {
      await server.close();
      await tracker.close();
      await connector.close();
    },
  });
}
