/**
 * A local stand-in for https://api.telegram.org: a real HTTP server on 127.0.0.1 that a bot
 * library reaches through its API root (grammY's `client.apiRoot`, Telegraf's `telegram.apiRoot`). It answers like the Bot API (`{ ok, result }`) and records
 * every call, so a test sees exactly what the bot sent.
 */
import type { IncomingMessage } from 'node:http';
import { listenLocal } from '../local-server.js';

export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
}

export interface FakeBotApi {
  apiRoot: string;
  calls: ApiCall[];
  /** Methods answered with a Bot API error (`ok: false`), as Telegram does for a blocked bot. */
  failing: Set<string>;
  /** The recorded calls of one method. */
  callsOf(method: string): ApiCall[];
  close(): Promise<void>;
}

export const BOT_TOKEN = '123456:TEST-token';

export const BOT_USER = {
  id: 123456,
  is_bot: true,
  first_name: 'Session Bot',
  username: 'session_test_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};

export async function startFakeBotApi(): Promise<FakeBotApi> {
  const calls: ApiCall[] = [];
  const failing = new Set<string>();
  let nextMessageId = 1000;

  const { url, close } = await listenLocal(async (req, res) => {
    const method = req.url?.split('/').pop() ?? '';
    const payload = await readJson(req);
    calls.push({ method, payload });
    res.setHeader('content-type', 'application/json');
    if (failing.has(method)) {
      res.end(
        JSON.stringify({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }),
      );
      return;
    }
    res.end(JSON.stringify({ ok: true, result: resultOf(method, payload, () => nextMessageId++) }));
  });

  return {
    apiRoot: url,
    calls,
    failing,
    callsOf: (method) => calls.filter((call) => call.method === method),
    close,
  };
}

/** Results shaped like https://core.telegram.org/bots/api#available-methods */
function resultOf(method: string, payload: Record<string, unknown>, newId: () => number): unknown {
  if (method === 'getMe') return BOT_USER;
  const chat = { id: payload.chat_id, type: 'private', first_name: 'Ada' };
  const message = () => ({ message_id: newId(), date: Math.floor(Date.now() / 1000), chat, from: BOT_USER });
  if (method === 'sendMediaGroup') return (payload.media as unknown[]).map(message);
  if (method === 'copyMessage') return { message_id: newId() };
  if (method === 'copyMessages' || method === 'forwardMessages') {
    return (payload.message_ids as unknown[]).map(() => ({ message_id: newId() }));
  }
  if (method === 'sendChatAction' || method === 'answerCallbackQuery') return true;
  if (method.startsWith('send') || method === 'forwardMessage') {
    return { ...message(), ...(typeof payload.text === 'string' ? { text: payload.text } : {}) };
  }
  return true;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  if (body === '') return {};
  return JSON.parse(body) as Record<string, unknown>;
}
