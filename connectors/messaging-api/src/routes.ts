import { decodePathSegment, WebhookHttpError } from '@botsession/webhook';
import type { z } from 'zod';
import {
  activeSessionResponse,
  emptyRequest,
  endRequest,
  errorResponse,
  messageRequest,
  messageResponse,
  sessionResponse,
} from './schemas.js';

export type OperationId =
  | 'postMessage'
  | 'handoff'
  | 'surveySent'
  | 'surveyAnswered'
  | 'endSession'
  | 'getSession'
  | 'openApi';

/** One endpoint: the router and the OpenAPI document are both built from this table. */
export interface Route {
  operationId: OperationId;
  method: 'GET' | 'POST';
  /** OpenAPI path template; `{conversationId}` is one path segment, percent-decoded. */
  path: string;
  summary: string;
  authenticated: boolean;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema: z.ZodType }>;
}

const refused = {
  415: {
    description: 'A body that is not JSON (`content-type` must be `application/json`).',
    schema: errorResponse,
  },
  400: { description: 'A bad body or path, with the field named.', schema: errorResponse },
  401: { description: 'Missing or unknown API key (`WWW-Authenticate: Bearer`).', schema: errorResponse },
  503: { description: 'The session store is down.', schema: errorResponse },
};

const act = (operationId: OperationId, segment: string, summary: string, body: z.ZodType): Route => ({
  operationId,
  method: 'POST',
  path: `/v1/conversations/{conversationId}/${segment}`,
  summary,
  authenticated: true,
  body,
  responses: { 200: { description: 'The session acted on, or null.', schema: sessionResponse }, ...refused },
});

export const ROUTES: readonly Route[] = [
  {
    operationId: 'postMessage',
    method: 'POST',
    path: '/v1/messages',
    summary: "A user's message: the bot answers it, message and replies are counted in the session.",
    authenticated: true,
    body: messageRequest,
    responses: {
      200: { description: "The bot's replies and the session stamp.", schema: messageResponse },
      400: refused[400],
      401: refused[401],
      415: refused[415],
    },
  },
  act(
    'handoff',
    'handoff',
    'The conversation went to a human agent: ends the session (handoff).',
    emptyRequest,
  ),
  act('surveySent', 'survey-sent', 'A satisfaction survey was sent in the active session.', emptyRequest),
  act(
    'surveyAnswered',
    'survey-answered',
    'The survey was answered: ends the session (survey) within the survey window.',
    emptyRequest,
  ),
  act('endSession', 'end', 'Ends the active session with a reason.', endRequest),
  {
    operationId: 'getSession',
    method: 'GET',
    path: '/v1/conversations/{conversationId}/session',
    summary: "The conversation's active session.",
    authenticated: true,
    responses: {
      200: { description: 'The active session.', schema: activeSessionResponse },
      404: { description: 'No session is active.', schema: errorResponse },
      ...refused,
    },
  },
  {
    operationId: 'openApi',
    method: 'GET',
    path: '/v1/openapi.json',
    summary: 'This document.',
    authenticated: false,
    responses: {},
  },
];

export interface Match {
  route: Route;
  conversationId?: string;
}

const compiled = ROUTES.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace('{conversationId}', '([^/]+)')}$`),
}));

/** The route of a request: 404 when no path matches, 405 (with the allowed methods) when only the method is wrong. */
export function matchRoute(method: string | undefined, pathname: string): Match | { allow: string[] } {
  const allow: string[] = [];
  for (const { route, pattern } of compiled) {
    const found = pattern.exec(pathname);
    if (found === null) continue;
    if (route.method !== method) {
      allow.push(route.method);
      continue;
    }
    if (found[1] === undefined) return { route };
    return { route, conversationId: decodeSegment(found[1]) };
  }
  if (allow.length === 0) throw new WebhookHttpError(404, `no route ${method} ${pathname.slice(0, 200)}`);
  return { allow };
}

function decodeSegment(segment: string): string {
  const decoded = decodePathSegment(segment);
  if (decoded === undefined) {
    throw new WebhookHttpError(400, 'conversationId: the path segment is not valid percent-encoding');
  }
  if (decoded.length > 256) throw new WebhookHttpError(400, 'conversationId: longer than 256 characters');
  return decoded;
}
