/**
 * The quickstart: real conversations through the real tracker on the embedded memory
 * backend, with the channels' timeouts shortened to seconds so the whole story fits in a
 * few seconds. Each scenario shows one way a session ends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type ConversationRef, createSessionTracker } from '@botsession/core';
import { printReport } from './report.js';
import { serveDashboard, serveRequested } from './serve.js';
import { describeEnd, label, line } from './timeline.js';

const SECOND = 1_000;
const tracker = createSessionTracker({
  channels: {
    web: { inactivityTimeoutMs: 3 * SECOND },
    whatsapp: { inactivityTimeoutMs: 6 * SECOND },
    telegram: { inactivityTimeoutMs: 6 * SECOND, surveyWindowMs: 4 * SECOND },
    sms: { inactivityTimeoutMs: 4 * SECOND },
    slack: { inactivityTimeoutMs: 2 * SECOND },
  },
});

const pending = new Set<string>();
let settle: () => void = () => {};
const allEnded = new Promise<void>((resolve) => {
  settle = resolve;
});

tracker.on('sessionStart', (session) => {
  pending.add(session.id);
  line(session.channel, `▶ ${label(session.id)} started  id ${session.id}`);
});
tracker.on('sessionEnd', (session) => {
  pending.delete(session.id);
  line(session.channel, describeEnd(session));
  if (pending.size === 0) settle();
});
tracker.on('error', (error) => line('error', error.message));

async function user(ref: ConversationRef, text: string): Promise<void> {
  const stamp = await tracker.track(ref, { direction: 'inbound' });
  line(ref.channel, `  user: "${text}"  → ${label(stamp.sessionId)} #${stamp.session.interactions}`);
}

async function bot(ref: ConversationRef, text: string): Promise<void> {
  const stamp = await tracker.track(ref, { direction: 'outbound' });
  line(ref.channel, `  bot:  "${text}"  → ${label(stamp.sessionId)} #${stamp.session.interactions}`);
}

/** Web, 3 s of inactivity: the bot's reply at 2 s does not push the end back. */
async function webInactivity(): Promise<void> {
  const ref = { channel: 'web', conversationId: 'web-visitor-1', userId: 'visitor-1' };
  await user(ref, 'Hi, where is my order?');
  await sleep(2 * SECOND);
  await bot(ref, 'It ships tomorrow.');
}

/** Web: the user closes the chat window with its X. */
async function webClose(): Promise<void> {
  const ref = { channel: 'web', conversationId: 'web-visitor-2', userId: 'visitor-2' };
  await user(ref, 'Do you ship to Canada?');
  await bot(ref, 'Yes, in 5 days.');
  await sleep(1 * SECOND);
  line('web', '  user clicks the X');
  await tracker.end(ref, 'closed');
}

/** WhatsApp: the bot hands the conversation to a human agent. */
async function whatsappHandoff(): Promise<void> {
  const ref = { channel: 'whatsapp', conversationId: '+15550001111', userId: '+15550001111' };
  await user(ref, 'I want to talk to a person');
  await bot(ref, 'Connecting you with an agent…');
  await sleep(0.5 * SECOND);
  line('whatsapp', '  handoff to a human agent');
  await tracker.handoff(ref);
}

/** Telegram: a satisfaction survey answered within its window ends the session. */
async function telegramSurvey(): Promise<void> {
  const ref = { channel: 'telegram', conversationId: '7001', userId: '7001' };
  await user(ref, '/start');
  await bot(ref, 'How did we do? ⭐⭐⭐⭐⭐');
  await tracker.surveySent(ref);
  await sleep(1.5 * SECOND);
  await user(ref, '⭐⭐⭐⭐⭐');
  await tracker.surveyAnswered(ref);
}

/** SMS: an integration fails; the user's next message starts a new session, then it times out. */
async function smsInterruption(): Promise<void> {
  const ref = { channel: 'sms', conversationId: '+15550002222:+15550009999', userId: '+15550002222' };
  await user(ref, 'BALANCE');
  line('sms', '  the payments integration throws: pipeline interrupted');
  await tracker.end(ref, 'interrupted');
  await sleep(1 * SECOND);
  await user(ref, 'BALANCE?');
  await bot(ref, 'Your balance is $42.');
}

/** Slack: a proactive bot message opens a session; its clock starts at that message. */
async function slackProactive(): Promise<void> {
  await sleep(0.5 * SECOND);
  const ref = { channel: 'slack', conversationId: 'C024BE91L', userId: 'U0G9QF9C6' };
  await bot(ref, 'Reminder: your ticket #512 was updated.');
}

console.log('botsession quickstart: memory backend, timeouts shortened to seconds\n');
// `npm start -- --serve`: the dashboard from the start, live traffic after the story (serve.ts).
const serving = serveRequested() ? await serveDashboard(tracker) : undefined;
// The tracker's timers are unref'd so that an idle bot can exit. A real bot's server keeps
// the process alive; this demo has no server, so it holds the loop open until every end.
const keepAlive = setInterval(() => {}, SECOND);
await Promise.all([
  webInactivity(),
  webClose(),
  whatsappHandoff(),
  telegramSurvey(),
  smsInterruption(),
  slackProactive(),
]);
await allEnded;
await serving?.untilStopped();
clearInterval(keepAlive);
await printReport(tracker);
await tracker.close();
console.log('\nEvery session ended exactly once. Done.');
