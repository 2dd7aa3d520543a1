import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Activity } from '@microsoft/agents-activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConnectorService,
  startConnectorService,
} from '../../../connectors/agents/test/connector-service.js';

// The built example as a real process, talked to over HTTP the way Teams does (no clientId:
// anonymous authentication); its replies go to a local stand-in for the Teams connector service.
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let agent: ChildProcess;
let endpoint: string;
let connector: ConnectorService;
let output = '';

beforeAll(async () => {
  connector = await startConnectorService();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', NODE_ENV: 'development' };
  for (const key of Object.keys(env)) {
    if (/^(clientId|clientSecret|tenantId|connections__)/i.test(key)) delete env[key];
  }
  agent = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  agent.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  agent.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  endpoint = await new Promise<string>((resolve, reject) => {
    agent.once('exit', (code) => reject(new Error(`the example exited (${code}): ${output}`)));
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
  if (agent.exitCode === null) {
    agent.kill('SIGTERM');
    await once(agent, 'exit');
  }
  await connector.close();
});

const USER = {
  id: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ',
  name: 'Ada',
};
const AGENT = { id: '28:0e3b8f2a-2f0e-4c9b-8a1d-9c2e1f0b7a6d', name: 'botsession-demo' };
let nextId = 1732095500000;

/** Posts one Teams-shaped personal-chat activity and returns what the agent sent back during that turn. */
async function say(activity: Partial<Activity>): Promise<Array<Partial<Activity>>> {
  const before = connector.posted.length;
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      id: String(nextId++),
      channelId: 'msteams',
      serviceUrl: connector.url,
      conversation: { id: 'a:1pL6i0oY3C0K8oAj8L9CZ2kXsJPz', conversationType: 'personal' },
      from: USER,
      recipient: AGENT,
      ...activity,
    }),
  });
  expect(response.status).toBeLessThan(300);
  return connector.posted.slice(before).map((p) => p.activity);
}

describe('example agent', () => {
  it('opens a Teams session with the welcome, keeps it for the messages, stamps every reply', async () => {
    const [welcome] = await say({ type: 'conversationUpdate', membersAdded: [AGENT, USER] });
    const sessionId = welcome?.channelData?.sessionId;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    await expect.poll(() => output).toMatch(`session ${sessionId} started on teams`);

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
  });

  it('ends the session interrupted on a failing turn, and the next message starts a new one', async () => {
    const [apology] = await say({ type: 'message', text: 'crash' });
    expect(apology?.text).toMatch(/^Sorry, something went wrong/);
    await expect.poll(() => output).toMatch(/ended: interrupted/);

    const [echo] = await say({ type: 'message', text: 'hello again' });
    expect(echo?.text).toMatch(/in session [0-9a-f-]{36} \(new\)\.$/);
    const started = output.match(/started on teams/g) ?? [];
    const ended = output.match(/ended: /g) ?? [];
    expect(started.length).toBe(ended.length + 1);
  });
});
