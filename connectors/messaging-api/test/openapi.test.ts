import { createSessionTracker, type SessionTracker } from '@botsession/core';
import { messagingApi } from '@botsession/messaging-api';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterEach, expect, it } from 'vitest';
import { closeAllLocalServers, listenLocal } from '../../../test/support/local-server.js';
import { call, KEY } from './client.js';

let tracker: SessionTracker | undefined;
afterEach(async () => {
  await closeAllLocalServers();
  await tracker?.close();
});

async function start(): Promise<string> {
  tracker = createSessionTracker();
  const { url } = await listenLocal(
    messagingApi({
      tracker,
      apiKeys: [KEY],
      onMessage: ({ text }) => (text === 'agent' ? { replies: ['bye'], after: 'handoff' } : `echo: ${text}`),
    }),
  );
  return url;
}

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is untyped JSON
type Doc = any;

/** A validator for one response of the document, resolving its $refs to components. */
function validatorOf(doc: Doc, path: string, method: string, status: number) {
  const ajv = new Ajv2020.default({ strict: false });
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    ajv.addSchema(schema as object, `#/components/schemas/${name}`);
  }
  const schema = doc.paths[path][method].responses[status].content['application/json'].schema;
  return ajv.compile({ $ref: schema.$ref });
}

it('serves an OpenAPI 3.1 document without authentication, listing every route', async () => {
  const url = await start();
  const reply = await call(url, 'GET', '/v1/openapi.json', undefined, {});
  expect(reply.status).toBe(200);
  const doc: Doc = reply.body;
  expect(doc.openapi).toBe('3.1.0');
  expect(doc.components.securitySchemes.apiKey).toEqual(
    expect.objectContaining({ type: 'http', scheme: 'bearer' }),
  );
  expect(Object.keys(doc.paths).sort()).toEqual([
    '/v1/conversations/{conversationId}/end',
    '/v1/conversations/{conversationId}/handoff',
    '/v1/conversations/{conversationId}/session',
    '/v1/conversations/{conversationId}/survey-answered',
    '/v1/conversations/{conversationId}/survey-sent',
    '/v1/messages',
    '/v1/openapi.json',
  ]);
  expect(doc.paths['/v1/openapi.json'].get.security).toEqual([]);
  expect(doc.components.schemas.MessageRequest).toMatchObject({
    type: 'object',
    required: ['conversationId', 'userId', 'text'],
    additionalProperties: false,
  });
  // Every POST takes an Idempotency-Key header; a GET does not.
  const key = { $ref: '#/components/parameters/IdempotencyKey' };
  expect(doc.paths['/v1/messages'].post.parameters).toEqual([key]);
  expect(doc.paths['/v1/conversations/{conversationId}/handoff'].post.parameters).toContainEqual(key);
  expect(doc.paths['/v1/conversations/{conversationId}/session'].get.parameters).not.toContainEqual(key);
  expect(doc.components.parameters.IdempotencyKey).toMatchObject({
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
  });
  expect(doc.components.schemas.MessageResponse.required).toContain('redelivered');
  expect(doc.components.schemas.EndRequest.properties.reason.enum).toEqual([
    'inactivity',
    'closed',
    'handoff',
    'survey',
    'interrupted',
    'manual',
  ]);
});

it("the API's real answers validate against its own document", async () => {
  const url = await start();
  const doc: Doc = (await call(url, 'GET', '/v1/openapi.json')).body;
  const checks: Array<[string, string, number, unknown]> = [];
  const sent = await call(url, 'POST', '/v1/messages', { conversationId: 'c1', userId: 'u1', text: 'hi' });
  checks.push(['/v1/messages', 'post', 200, sent.body]);
  const keyed = { authorization: `Bearer ${KEY}`, 'idempotency-key': 'k-1' };
  await call(url, 'POST', '/v1/messages', { conversationId: 'c1', userId: 'u1', text: 'again' }, keyed);
  const repeated = await call(
    url,
    'POST',
    '/v1/messages',
    { conversationId: 'c1', userId: 'u1', text: 'again' },
    keyed,
  );
  expect(repeated.body.redelivered).toBe(true);
  checks.push(['/v1/messages', 'post', 200, repeated.body]);
  const bad = await call(url, 'POST', '/v1/messages', { conversationId: 1 });
  checks.push(['/v1/messages', 'post', 400, bad.body]);
  const active = await call(url, 'GET', '/v1/conversations/c1/session');
  checks.push(['/v1/conversations/{conversationId}/session', 'get', 200, active.body]);
  const surveyed = await call(url, 'POST', '/v1/conversations/c1/survey-sent');
  checks.push(['/v1/conversations/{conversationId}/survey-sent', 'post', 200, surveyed.body]);
  const ended = await call(url, 'POST', '/v1/conversations/c1/end', { reason: 'manual' });
  checks.push(['/v1/conversations/{conversationId}/end', 'post', 200, ended.body]);
  const none = await call(url, 'POST', '/v1/conversations/c1/handoff');
  checks.push(['/v1/conversations/{conversationId}/handoff', 'post', 200, none.body]);
  const missing = await call(url, 'GET', '/v1/conversations/c1/session');
  checks.push(['/v1/conversations/{conversationId}/session', 'get', 404, missing.body]);
  for (const [path, method, status, body] of checks) {
    const validate = validatorOf(doc, path, method, status);
    expect({ path, status, valid: validate(body), errors: validate.errors }).toEqual({
      path,
      status,
      valid: true,
      errors: null,
    });
  }
  // And the document rejects what the API would never send.
  expect(validatorOf(doc, '/v1/messages', 'post', 200)({ sessionId: 1, replies: [] })).toBe(false);
});
