/** One bot per test: a real Telegraf against the fake Bot API, a real tracker, and what it emitted. */
import {
  type Backend,
  type ChannelPolicyOverride,
  createSessionTracker,
  type Session,
  type SessionTracker,
} from '@botsession/core';
import { type BotSessionContext, type BotSessionOptions, botSession } from '@botsession/telegraf';
import { Telegraf } from 'telegraf';
import { BOT_TOKEN, type FakeBotApi, startFakeBotApi } from '../../../test/support/telegram/fake-bot-api.js';
import { asTelegrafUpdate, type Update } from '../../../test/support/telegram/updates.js';

export interface Harness {
  api: FakeBotApi;
  tracker: SessionTracker;
  bot: Telegraf<BotSessionContext>;
  started: Session[];
  ended: Session[];
  errors: Error[];
  /** Errors that reached Telegraf's `bot.catch`. */
  caught: unknown[];
  /** `bot.handleUpdate` of a shared Bot API fixture. */
  deliver(update: Update): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  backend?: Backend;
  channels?: Record<string, ChannelPolicyOverride>;
  middleware?: BotSessionOptions;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const api = await startFakeBotApi();
  const tracker = createSessionTracker({
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.channels ? { channels: options.channels } : {}),
  });
  const started: Session[] = [];
  const ended: Session[] = [];
  const errors: Error[] = [];
  const caught: unknown[] = [];
  tracker.on('sessionStart', (session) => void started.push(session));
  tracker.on('sessionEnd', (session) => void ended.push(session));
  tracker.on('error', (error) => void errors.push(error));
  const bot = new Telegraf<BotSessionContext>(BOT_TOKEN, { telegram: { apiRoot: api.apiRoot } });
  bot.catch((error) => void caught.push(error));
  bot.use(botSession(tracker, options.middleware));
  return {
    api,
    tracker,
    bot,
    started,
    ended,
    errors,
    caught,
    deliver: (update) => bot.handleUpdate(asTelegrafUpdate(update)),
    async close() {
      await tracker.close();
      await api.close();
    },
  };
}
