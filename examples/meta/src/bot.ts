import {
  createSessionTracker,
  type SessionStamp,
  type SessionTracker,
  unlessStoreDown,
} from '@botsession/core';
import { type MetaEvent, metaWebhook, type NodeHandler, refOf, trackSent } from '@botsession/meta';
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
      await unlessStoreDown(tracker.handoff(refOf(event)));
      return;
    }
    await reply(event, stamp, `You said "${text}" (${session}${stamp?.isNew ? ', new' : ''}).`);
  }

  async function reply(event: MetaEvent, stamp: SessionStamp | undefined, text: string): Promise<void> {
    const messageId =
      event.channel === 'whatsapp'
        ? await sendWhatsAppText(config, event.phoneNumberId, event, text)
        : await sendMessengerText(config, event.userId, text);
    // Count the reply now, as a reply to the message's session, under the id the API returned:
    // core counts nothing if that session has ended meanwhile, and Messenger/Instagram's echo
    // of it (same id) is recognised and counts nothing either, even after a handoff.
    await trackSent(tracker, event, stamp, messageId).catch(() => undefined);
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
