import { createSessionTracker, type SessionStamp, type SessionTracker } from '@botsession/core';
import { type MetaEvent, metaWebhook, type NodeHandler, refOf } from '@botsession/meta';
import { type GraphConfig, passThreadToInbox, sendMessengerText, sendWhatsAppText } from './graph.js';

export interface MetaBotConfig extends GraphConfig {
  appSecret: string;
  verifyToken: string;
  appId?: string;
  /** Lines of the session log (default: stdout). */
  log?: (line: string) => void;
}

export interface MetaBot {
  handler: NodeHandler;
  tracker: SessionTracker;
}

const WANTS_A_PERSON = /\b(agent|human|person)\b/i;

/**
 * An echo bot on all three Meta products. It answers with the session it is in, and hands
 * the user to a person on "agent": the Page Inbox on Messenger, the session's end elsewhere.
 */
export function createMetaBot(config: MetaBotConfig): MetaBot {
  const log = config.log ?? ((line: string) => console.log(line));
  const tracker = createSessionTracker();
  tracker.on('sessionStart', (s) => log(`▶ ${s.channel} ${s.conversationId} session ${s.id} started`));
  tracker.on('sessionEnd', (s) =>
    log(`■ ${s.channel} ${s.conversationId} session ${s.id} ended: ${s.endReason}`),
  );
  tracker.on('error', (error) => log(`! tracker: ${error.message}`));

  async function onMessage(event: MetaEvent, stamp: SessionStamp | undefined): Promise<void> {
    const text = textOf(event);
    const session = stamp === undefined ? 'no session (store down)' : `session ${stamp.sessionId.slice(-8)}`;
    if (WANTS_A_PERSON.test(text)) {
      await reply(event, stamp, 'Connecting you to a person…');
      if (event.channel === 'facebook') await passThreadToInbox(config, event.userId);
      // Meta tells the app that receives the thread, not this one: end the session here.
      await tracker.handoff(refOf(event));
      return;
    }
    await reply(event, stamp, `You said "${text}" (${session}${stamp?.isNew ? ', new' : ''}).`);
  }

  async function reply(event: MetaEvent, stamp: SessionStamp | undefined, text: string): Promise<void> {
    if (event.channel === 'whatsapp') {
      await sendWhatsAppText(config, event.phoneNumberId, event.userId, text);
      // WhatsApp sends no echo of the bot's messages: count the reply here, as a reply to the
      // message's session (core counts nothing if that session has ended meanwhile).
      await tracker
        .track(refOf(event), { direction: 'outbound', inReplyTo: stamp?.sessionId })
        .catch(() => undefined);
      return;
    }
    // Messenger and Instagram echo it back to the webhook, which counts it.
    await sendMessengerText(config, event.userId, text);
  }

  const handler = metaWebhook({
    tracker,
    appSecret: config.appSecret,
    verifyToken: config.verifyToken,
    onMessage,
    onError: (error) => log(`! onMessage: ${(error as Error).message}`),
    ...(config.appId === undefined ? {} : { appId: config.appId }),
  });
  return { handler, tracker };
}

function textOf(event: MetaEvent): string {
  if (event.channel === 'whatsapp') {
    return event.message.text?.body ?? `[${event.message.type}]`;
  }
  const { message, postback } = event.messaging;
  return message?.text ?? postback?.title ?? '[attachment]';
}
