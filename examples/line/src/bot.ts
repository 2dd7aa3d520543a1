/**
 * The example bot, apart from how it is served, so tests can point it at a local LINE API.
 * Every answer names the session; explicit ends go through `refOf(event)`.
 */
import {
  createSessionTracker,
  type SessionStamp,
  type SessionTracker,
  unlessStoreDown,
} from '@botsession/core';
import { lineWebhook, type NodeHandler, refOf, trackedClient } from '@botsession/line';
import { messagingApi, type webhook } from '@line/bot-sdk';

export interface LineBotConfig {
  channelSecret: string;
  channelAccessToken: string;
  /** Messaging API root; tests point it at a local fake. Default: https://api.line.me */
  apiBaseURL?: string;
  /** Inactivity that ends a session; LINE's default is 24 h. */
  inactivityTimeoutMs?: number;
  /** Lines of the session log (default: stdout). */
  log?: (line: string) => void;
}

export interface LineBot {
  handler: NodeHandler;
  tracker: SessionTracker;
  /** A proactive message, as a scheduler would send it: it opens a session when none is open. */
  remind(userId: string): Promise<unknown>;
}

type Message = messagingApi.Message;
const text = (value: string): Message => ({ type: 'text', text: value });

export function createLineBot(config: LineBotConfig): LineBot {
  const log = config.log ?? ((line: string) => console.log(line));
  const tracker = createSessionTracker(
    config.inactivityTimeoutMs === undefined
      ? {}
      : { channels: { line: { inactivityTimeoutMs: config.inactivityTimeoutMs } } },
  );
  tracker.on('sessionStart', (s) => log(`▶ ${s.conversationId} session ${s.id} started`));
  tracker.on('sessionEnd', (s) =>
    log(
      `■ ${s.conversationId} session ${s.id} ended: ${s.endReason} (${s.userMessages} user / ${s.botMessages} bot)`,
    ),
  );
  tracker.on('error', (error) => log(`! tracker: ${error.message}`));

  const client = trackedClient(
    new messagingApi.MessagingApiClient({
      channelAccessToken: config.channelAccessToken,
      ...(config.apiBaseURL ? { baseURL: config.apiBaseURL } : {}),
    }),
    tracker,
  );
  const reply = (event: { replyToken?: string }, ...messages: Message[]) =>
    event.replyToken ? client.replyMessage({ replyToken: event.replyToken, messages }) : Promise.resolve();

  async function onEvent(event: webhook.Event, stamp: SessionStamp | undefined): Promise<void> {
    if (event.type === 'follow') {
      // A welcome is the bot's message: it opens the session.
      await reply(
        event,
        text('Thanks for adding me! Ask about an order, or try "agent", "survey" or "crash".'),
      );
      return;
    }
    if (event.type === 'postback') {
      const score = /^rate=(\d)$/.exec(event.postback.data)?.[1];
      if (score === undefined) return;
      // Thank first, so the thanks counts in the session the answer ends.
      await reply(event, text(`Thanks for the ${score}!`));
      await unlessStoreDown(tracker.surveyAnswered(refOf(event), { score: Number(score) * 20 }));
      return;
    }
    if (event.type !== 'message') return;
    const said = event.message.type === 'text' ? event.message.text.trim() : `[${event.message.type}]`;
    if (/^agent$/i.test(said)) {
      await reply(event, text('Connecting you to a person… (that ended your session with the bot)'));
      await unlessStoreDown(tracker.handoff(refOf(event)));
    } else if (/^survey$/i.test(said)) {
      const items = [1, 2, 3, 4, 5].map((n) => ({
        type: 'action' as const,
        action: { type: 'postback' as const, label: `${n}`, data: `rate=${n}`, displayText: `${n}` },
      }));
      await reply(event, { type: 'text', text: 'How did we do?', quickReply: { items } });
      await unlessStoreDown(tracker.surveySent(refOf(event)));
    } else if (/^crash$/i.test(said)) {
      // A failing integration: the session ends `interrupted`, the next message starts a new one.
      throw new Error('the order service did not answer');
    } else {
      await reply(event, text(`You said "${said}" in ${describe(stamp)}.`));
    }
  }

  const handler = lineWebhook({
    tracker,
    channelSecret: config.channelSecret,
    onEvent,
    onError: (error) => log(`! onEvent: ${(error as Error).message}`),
  });
  return {
    handler,
    tracker,
    remind: (userId) =>
      client.pushMessage({ to: userId, messages: [text('Your order has shipped. Anything else?')] }),
  };
}

function describe(stamp: SessionStamp | undefined): string {
  if (stamp === undefined) return 'no session (the store is down)';
  return `session ${stamp.sessionId.slice(0, 8)}…${stamp.isNew ? ' (new)' : ''}, message ${stamp.session.interactions}`;
}
