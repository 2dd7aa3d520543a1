/**
 * The few Graph API calls the example bot makes. Messenger and Instagram share the Send API
 * (`/me/messages` with a Page access token); WhatsApp sends from the business number.
 * https://developers.facebook.com/docs/messenger-platform/reference/send-api
 * https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
 */
export interface GraphConfig {
  /** e.g. `https://graph.facebook.com/v21.0`; a local fake in tests. */
  graphUrl: string;
  /** Page access token, for Messenger and Instagram (Page-linked account). */
  pageAccessToken?: string;
  /** WhatsApp Cloud API access token. */
  whatsAppAccessToken?: string;
}

/** Meta's Page Inbox app: passing it the thread hands the user to a person. */
export const PAGE_INBOX_APP_ID = '263902037430900';

/** Sends a text; resolves to the Send API's `message_id` (the `mid` of the echo that follows). */
export async function sendMessengerText(config: GraphConfig, userId: string, text: string): Promise<string> {
  const sent = (await graphPost(config, '/me/messages', config.pageAccessToken, {
    recipient: { id: userId },
    messaging_type: 'RESPONSE',
    message: { text },
  })) as { message_id?: string };
  return String(sent.message_id ?? '');
}

export async function passThreadToInbox(config: GraphConfig, userId: string): Promise<void> {
  await graphPost(config, '/me/pass_thread_control', config.pageAccessToken, {
    recipient: { id: userId },
    target_app_id: PAGE_INBOX_APP_ID,
    metadata: 'the user asked for a person',
  });
}

/**
 * Sends a text to a phone number (`to`) or, for a user who hides it behind a username, to the
 * business-scoped user id (`recipient`). Resolves to the message's `wamid`.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */
export async function sendWhatsAppText(
  config: GraphConfig,
  phoneNumberId: string,
  user: { phoneNumber?: string; userId: string },
  body: string,
): Promise<string> {
  const address = user.phoneNumber !== undefined ? { to: user.phoneNumber } : { recipient: user.userId };
  const sent = (await graphPost(config, `/${phoneNumberId}/messages`, config.whatsAppAccessToken, {
    messaging_product: 'whatsapp',
    ...address,
    type: 'text',
    text: { body },
  })) as { messages?: Array<{ id?: string }> };
  return String(sent.messages?.[0]?.id ?? '');
}

async function graphPost(
  config: GraphConfig,
  path: string,
  token: string | undefined,
  body: unknown,
): Promise<unknown> {
  if (token === undefined) throw new Error(`no access token configured for ${path}`);
  const response = await fetch(`${config.graphUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`Graph API ${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}
