import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllLocalServers, type LocalServer, listenLocal } from '../../../test/support/local-server.js';
import { createMetaBot, type MetaBot } from '../src/bot.js';

const APP_SECRET = 'example-secret';
const bots: MetaBot[] = [];

afterEach(async () => {
  await closeAllLocalServers();
  await Promise.all(bots.splice(0).map((bot) => bot.tracker.close()));
});

/** The fields of a Send API / Cloud API request body the tests look at. */
interface GraphBody {
  recipient?: { id: string };
  message?: { text: string };
  target_app_id?: string;
  [field: string]: unknown;
}

/** A local stand-in for graph.facebook.com that records what the bot sends. */
async function fakeGraph(): Promise<LocalServer & { calls: Array<{ path: string; body: GraphBody }> }> {
  const calls: Array<{ path: string; body: GraphBody }> = [];
  const local = await listenLocal((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      calls.push({ path: req.url ?? '', body: JSON.parse(text) });
      // Each sent message gets its own id, in the shape of each API's answer.
      const id = `m_${calls.length}`;
      const answer = req.url?.endsWith('/messages')
        ? req.url.startsWith('/me/')
          ? { recipient_id: '6024661307592331', message_id: id }
          : { messaging_product: 'whatsapp', contacts: [{ input: '16505551234' }], messages: [{ id }] }
        : { success: true };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  return { ...local, calls };
}

async function startBot() {
  const graph = await fakeGraph();
  const log: string[] = [];
  const bot = createMetaBot({
    appSecret: APP_SECRET,
    verifyToken: 'verify',
    graphUrl: graph.url,
    pageAccessToken: 'page-token',
    whatsAppAccessToken: 'wa-token',
    log: (line) => log.push(line),
  });
  bots.push(bot);
  const { url } = await listenLocal(bot.handler);
  return { bot, graph, log, url };
}

function fixture(path: string): string {
  return readFileSync(new URL(`../../../connectors/meta/test/fixtures/${path}`, import.meta.url), 'utf8');
}

async function postSigned(url: string, body: string) {
  const signature = `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
  });
  return response.status;
}

describe('example Meta bot', () => {
  it('answers a Messenger message through the Send API with its new session', async () => {
    const { graph, log, url } = await startBot();
    expect(await postSigned(url, fixture('messenger/message.json'))).toBe(200);
    expect(graph.calls).toHaveLength(1);
    expect(graph.calls[0]!.path).toBe('/me/messages');
    expect(graph.calls[0]!.body.recipient).toEqual({ id: '6024661307592331' });
    expect(graph.calls[0]!.body.message?.text).toMatch(/^You said "hello, world!" \(session \w{8}, new\)\.$/);
    expect(log[0]).toMatch(/^▶ facebook 106589192215347:6024661307592331 session .+ started$/);
  });

  it('answers on WhatsApp from the business number and counts its own reply', async () => {
    const { bot, graph, url } = await startBot();
    expect(await postSigned(url, fixture('whatsapp/text.json'))).toBe(200);
    expect(graph.calls[0]!.path).toBe('/106540352242922/messages');
    expect(graph.calls[0]!.body).toMatchObject({
      messaging_product: 'whatsapp',
      to: '16505551234',
      type: 'text',
    });
    const session = await bot.tracker.get({
      channel: 'whatsapp',
      conversationId: '106540352242922:16505551234',
    });
    expect(session).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('hands a Messenger user to the Page Inbox on "agent" and ends the session with handoff', async () => {
    const { graph, log, url } = await startBot();
    await postSigned(url, fixture('messenger/message.json').replace('hello, world!', 'an agent please'));
    expect(graph.calls.map((call) => call.path)).toEqual(['/me/messages', '/me/pass_thread_control']);
    expect(graph.calls[1]!.body.target_app_id).toBe('263902037430900');
    expect(log.at(-1)).toMatch(/ended: handoff$/);
  });

  it('leaves no session behind when the goodbye before a handoff echoes back after it', async () => {
    const { bot, graph, log, url } = await startBot();
    await postSigned(url, fixture('messenger/message.json').replace('hello, world!', 'an agent please'));
    const goodbyeMid = `m_${graph.calls.findIndex((call) => call.path === '/me/messages') + 1}`;
    // Meta echoes the goodbye with the Send API's message_id as its mid, after the handoff.
    const echo = fixture('messenger/echo.json').replace('mid.1457764197618:41d102a3e1ae206a40', goodbyeMid);
    expect(await postSigned(url, echo)).toBe(200);
    expect(
      await bot.tracker.get({ channel: 'facebook', conversationId: '106589192215347:6024661307592331' }),
    ).toBe(undefined);
    expect(log.filter((line) => line.startsWith('▶'))).toHaveLength(1);
    expect(log.at(-1)).toMatch(/ended: handoff$/);
  });

  it('answers a WhatsApp user who hides the phone number through the business-scoped user id', async () => {
    const { bot, graph, url } = await startBot();
    expect(await postSigned(url, fixture('whatsapp/username-only.json'))).toBe(200);
    expect(graph.calls[0]!.body).toMatchObject({ recipient: 'US.13491208655302741918', type: 'text' });
    expect(graph.calls[0]!.body.to).toBeUndefined();
    const session = await bot.tracker.get({
      channel: 'whatsapp',
      conversationId: '106540352242922:US.13491208655302741918',
    });
    expect(session).toMatchObject({ userMessages: 1, botMessages: 1 });
  });

  it('ends the session interrupted when the Graph API fails, and still answers Meta 200', async () => {
    const { graph, log, url } = await startBot();
    await graph.close();
    expect(await postSigned(url, fixture('instagram/message.json'))).toBe(200);
    expect(log.some((line) => line.startsWith('! onMessage: fetch failed'))).toBe(true);
    expect(log.some((line) => /^■ instagram .+ ended: interrupted$/.test(line))).toBe(true);
  });
});
