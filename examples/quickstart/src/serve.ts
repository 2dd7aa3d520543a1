/**
 * `npm start -- --serve`: the quickstart keeps running after its story, with the dashboard
 * served on 127.0.0.1 and live traffic on several channels, until Ctrl-C. Plain `npm start`
 * starts neither, and exits by itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConversationRef, SessionTracker } from '@botsession/core';
import { dashboard } from '@botsession/dashboard';

/** True when the command line asks for `--serve`. */
export function serveRequested(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--serve');
}

export interface Serving {
  url: string;
  /** Runs live traffic until Ctrl-C (SIGINT/SIGTERM), then closes the server. */
  untilStopped(): Promise<void>;
}

/**
 * Serves the dashboard at http://127.0.0.1:$PORT/ (default 3000; 0 picks a free port). It is
 * `public: true` because it listens on the loopback interface only: nobody else can reach it.
 */
export async function serveDashboard(tracker: SessionTracker): Promise<Serving> {
  const page = dashboard({ tracker, public: true, title: 'botsession quickstart', refreshSeconds: 10 });
  const server = createServer(page);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  console.log(`dashboard: ${url}  (live traffic after the story; Ctrl-C to stop)\n`);
  return { url, untilStopped: () => runLiveTraffic(tracker, server) };
}

const CHANNELS = ['web', 'telegram', 'whatsapp', 'sms', 'slack', 'messaging-api'];

async function runLiveTraffic(tracker: SessionTracker, server: Server): Promise<void> {
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log('\nlive traffic: a message every ~0.5 s on six channels (Ctrl-C to stop)\n');
  let next = 0;
  const open: ConversationRef[] = [];
  const started: ConversationRef[] = [];
  const newConversation = () => {
    const id = `live-${++next}`;
    const channel = CHANNELS[Math.floor(Math.random() * CHANNELS.length)]!;
    const ref = { channel, conversationId: id, userId: `user-${id}` };
    started.push(ref);
    return ref;
  };
  while (!stopped) {
    await step(tracker, open, newConversation).catch((error: Error) => console.error(error.message));
    await sleep(250 + Math.random() * 500);
  }
  // Ctrl-C: end what is still live (`manual`), so that every session of the run ends once.
  for (const ref of started) await tracker.end(ref, 'manual');
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** One random step of a conversation: a new one, a reply, or one of the ways a session ends. */
async function step(
  tracker: SessionTracker,
  open: ConversationRef[],
  newConversation: () => ConversationRef,
): Promise<void> {
  const pick = Math.random();
  if (open.length < 3 || pick < 0.3) {
    const ref = newConversation();
    open.push(ref);
    const stamp = await tracker.track(ref, { direction: 'inbound' });
    await tracker.track(ref, { direction: 'outbound', inReplyTo: stamp.sessionId });
    return;
  }
  const at = Math.floor(Math.random() * open.length);
  const ref = open[at]!;
  if (pick < 0.65) {
    const stamp = await tracker.track(ref, { direction: 'inbound' });
    await tracker.track(ref, { direction: 'outbound', inReplyTo: stamp.sessionId });
    return;
  }
  open.splice(at, 1); // the conversation ends one way or another, or is left to time out
  if (pick < 0.73) await tracker.handoff(ref);
  else if (pick < 0.8) await tracker.end(ref, 'closed');
  else if (pick < 0.9) {
    await tracker.surveySent(ref);
    await tracker.surveyAnswered(ref, { score: 25 * Math.floor(Math.random() * 5) });
  } else if (pick < 0.93) await tracker.end(ref, 'interrupted');
}
