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

export async function sendMessengerText(config: GraphConfig, userId: string, text: string): Promise<void> {
  await graphPost(config, '/me/messages', config.pageAccessToken, {
    recipient: { id: userId },
    messaging_type: 'RESPONSE',
    message: { text },
  });
}

export async function passThreadToInbox(config: GraphConfig, userId: string): Promise<void> {
  await graphPost(config, '/me/pass_thread_control', config.pageAccessToken, {
    recipient: { id: userId },
    target_app_id: PAGE_INBOX_APP_ID,
    metadata: 'the user asked for a person',
  });
}

export async function sendWhatsAppText(
  config: GraphConfig,
  phoneNumberId: string,
  to: string,
  body: string,
): Promise<void> {
  await graphPost(config, `/${phoneNumberId}/messages`, config.whatsAppAccessToken, {
    messaging_product: 'whatsapp',
    to,
    type: 'text',
    text: { body },
  });
}

async function graphPost(config: GraphConfig, path: string, token: string | undefined, body: unknown) {
  if (token === undefined) throw new Error(`no access token configured for ${path}`);
  const response = await fetch(`${config.graphUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`Graph API ${path} answered ${response.status}: ${await response.text()}`);
}
