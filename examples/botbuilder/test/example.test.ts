import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConnectorService,
  startConnectorService,
} from '../../../connectors/botbuilder/test/connector-service.js';

// The built example as a real process, talked to over HTTP the way the Emulator does (no
// MicrosoftAppId: authentication off); its replies go to a local Bot Connector stand-in.
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let bot: ChildProcess;
let endpoint: string;
let connector: ConnectorService;
let output = '';

beforeAll(async () => {
  connector = await startConnectorService();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
  for (const key of ['MicrosoftAppId', 'MicrosoftAppPassword', 'MicrosoftAppType', 'MicrosoftAppTenantId']) {
    delete env[key];
  }
  bot = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  bot.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  bot.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  endpoint = await new Promise<string>((resolve, reject) => {
    bot.once('exit', (code) => reject(new Error(`the example exited (${code}): ${output}`)));
    const poll = setInterval(() => {
      const url = /listening on (\S+)/.exec(output)?.[1];
      if (url !== undefined) {
        clearInterval(poll);
        resolve(url);
      }
    }, 20);
  });
});

afterAll(async () => {
  if (bot.exitCode === null) {
    bot.kill('SIGTERM');
    await once(bot, 'exit');
  }
  await connector.close();
});

let nextId = 1;
/** Posts one Emulator-shaped activity and returns what the bot sent back during that turn. */
async function say(activity: Partial<Activity>): Promise<Array<Partial<Activity>>> {
  const before = connector.posted.length;
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      id: `act-${nextId++}`,
      channelId: 'emulator',
      serviceUrl: connector.url,
      conversation: { id: 'emu-conv-1' },
      from: { id: 'user-1', name: 'User', role: 'user' },
      recipient: { id: 'bot-1', name: 'Bot', role: 'bot' },
      ...activity,
    }),
  });
  expect(response.status).toBeLessThan(300);
  return connector.posted.slice(before).map((p) => p.activity);
}

describe('example bot', () => {
  it('opens a session with the welcome, keeps it for the messages, stamps every reply', async () => {
    const [welcome] = await say({
      type: 'conversationUpdate',
      membersAdded: [
        { id: 'bot-1', name: 'Bot' },
        { id: 'user-1', name: 'User' },
      ],
    });
    const sessionId = welcome?.channelData?.sessionId;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);

    const [echo] = await say({ type: 'message', text: 'where is my order?' });
    expect(echo?.text).toBe(`You said "where is my order?" in session ${sessionId}.`);
    expect(echo?.channelData?.sessionId).toBe(sessionId);
  });

  it('ends the session with handoff when the user asks for an agent', async () => {
    const sent = await say({ type: 'message', text: 'agent' });
    expect(sent.map((a) => a.name ?? a.type)).toEqual(['message', 'handoff.initiate']);
    await expect.poll(() => output).toMatch(/ended: handoff after \d+ interactions/);
  });

  it('ends the session with survey when the survey is answered', async () => {
    const [question] = await say({ type: 'message', text: 'survey' });
    expect(question?.text).toBe('How did we do?');
    const [thanks] = await say({ type: 'message', text: '5' });
    await expect.poll(() => output).toMatch(/ended: survey/);
    // The thanks belongs to the surveyed session: it does not open another one.
    expect(thanks?.channelData?.sessionId).toBe(question?.channelData?.sessionId);
    const started = output.match(/started on web/g) ?? [];
    const ended = output.match(/ended: /g) ?? [];
    expect(started.length).toBe(ended.length);
  });

  it('ends the session interrupted on a failing turn, and the next message starts a new one', async () => {
    const [apology] = await say({ type: 'message', text: 'crash' });
    expect(apology?.text).toMatch(/^Sorry, something went wrong/);
    await expect.poll(() => output).toMatch(/ended: interrupted/);

    const [echo] = await say({ type: 'message', text: 'hello again' });
    expect(echo?.text).toMatch(/in session [0-9a-f-]{36} \(new\)\.$/);
  });
});
