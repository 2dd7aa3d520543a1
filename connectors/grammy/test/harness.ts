/** One bot per test: a real grammY Bot against the fake Bot API, a real tracker, and what it emitted. */
import {
  type Backend,
  type ChannelPolicyOverride,
  createSessionTracker,
  type Session,
  type SessionTracker,
} from '@botsession/core';
import { type BotSessionFlavor, type BotSessionOptions, botSession } from '@botsession/grammy';
import { type ApiClientOptions, Bot, type Context } from 'grammy';
import type { Update } from 'grammy/types';
import { BOT_TOKEN, type FakeBotApi, startFakeBotApi } from '../../../test/support/telegram/fake-bot-api.js';

export type TestContext = Context & BotSessionFlavor;

export interface Harness {
  api: FakeBotApi;
  tracker: SessionTracker;
  bot: Bot<TestContext>;
  started: Session[];
  ended: Session[];
  errors: Error[];
  /** What `bot.handleUpdate` rejected with (grammY wraps it in a BotError), one per failed update. */
  caught: unknown[];
  /** Runs one update as grammY's poller or webhook would, recording a failure in `caught`. */
  deliver(update: Update): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  backend?: Backend;
  channels?: Record<string, ChannelPolicyOverride>;
  middleware?: BotSessionOptions;
  client?: ApiClientOptions;
}

/** A bot on the fake API, initialised like `bot.start()` does (a real `getMe` call). */
export async function newBot(api: FakeBotApi, client: ApiClientOptions = {}): Promise<Bot<TestContext>> {
  const bot = new Bot<TestContext>(BOT_TOKEN, { client: { apiRoot: api.apiRoot, ...client } });
  await bot.init();
  return bot;
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
  const bot = await newBot(api, options.client);
  bot.use(botSession(tracker, options.middleware));
  return {
    api,
    tracker,
    bot,
    started,
    ended,
    errors,
    caught,
    deliver: (update) => bot.handleUpdate(update).catch((error: unknown) => void caught.push(error)),
    async close() {
      await tracker.close();
      await api.close();
    },
  };
}
