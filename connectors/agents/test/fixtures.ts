import { readFileSync } from 'node:fs';
import type { Activity } from '@microsoft/agents-activity';

/**
 * A fresh copy of an Activity protocol fixture, as the channel posts it to the agent's endpoint.
 * Fresh, because adapters mutate the activities they process. Shapes from:
 * - the Activity protocol: https://github.com/microsoft/Agents/blob/main/specs/activity/protocol-activity.md
 *   (message, conversationUpdate, typing, endOfConversation, invoke, messageReaction, installationUpdate)
 * - Teams messages, mentions and channel threads (`…;messageid=…`):
 *   https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages
 * - Teams conversation events (conversationUpdate, messageReaction, installationUpdate, messageUpdate):
 *   https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/subscribe-to-conversation-events
 * - Universal Actions (`adaptiveCard/action`):
 *   https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards
 * - dialogs (`task/submit`): https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/task-modules/task-modules-bots
 * - message extension search (`composeExtension/query`):
 *   https://learn.microsoft.com/microsoftteams/platform/messaging-extensions/how-to/search-commands/respond-to-search
 * - Web Chat and Direct Line: https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-direct-line-3-0-receive-activities
 */
export function fixture(name: string, overrides: Partial<Activity> = {}): Activity {
  const url = new URL(`./fixtures/activity/${name}.json`, import.meta.url);
  return { ...(JSON.parse(readFileSync(url, 'utf8')) as Activity), ...overrides } as Activity;
}
