import { z } from 'zod';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency.js';
import { ROUTES } from './routes.js';
import { registry } from './schemas.js';

const SCHEMA_REF = '#/components/schemas/';

/**
 * The OpenAPI 3.1 document of the API, generated from the route table and the zod schemas
 * (OpenAPI 3.1 schemas are JSON Schema 2020-12, which `z.toJSONSchema` writes).
 */
export function openApiDocument(): Record<string, unknown> {
  const generated = z.toJSONSchema(registry, { uri: (id) => `${SCHEMA_REF}${id}` }).schemas;
  const schemas: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(generated)) {
    const { $schema: _dialect, $id: _id, ...rest } = schema as Record<string, unknown>;
    schemas[name] = rest;
  }
  const refOf = (schema: z.ZodType) => ({ $ref: `${SCHEMA_REF}${registry.get(schema)!.id}` });

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, { description, schema }]) => [
          status,
          { description, content: { 'application/json': { schema: refOf(schema) } } },
        ]),
      ),
    };
    if (route.operationId === 'openApi') {
      operation.responses = { 200: { description: 'This OpenAPI 3.1 document.' } };
    }
    if (!route.authenticated) operation.security = [];
    const parameters: unknown[] = [];
    if (route.path.includes('{conversationId}')) {
      parameters.push({
        name: 'conversationId',
        in: 'path',
        required: true,
        description: 'Your conversation id, percent-encoded (1 to 256 characters).',
        schema: { type: 'string', minLength: 1, maxLength: 256 },
      });
    }
    if (route.method === 'POST') parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
    if (parameters.length > 0) operation.parameters = parameters;
    if (route.body !== undefined) {
      operation.requestBody = {
        required: route.operationId === 'postMessage' || route.operationId === 'endSession',
        content: { 'application/json': { schema: refOf(route.body) } },
      };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'botsession messaging API',
      version: '1',
      description: 'Sessions for chat integrations without an SDK (channel `messaging-api`).',
    },
    security: [{ apiKey: [] }],
    paths,
    components: {
      schemas,
      parameters: {
        IdempotencyKey: {
          name: IDEMPOTENCY_KEY_HEADER,
          in: 'header',
          required: false,
          description:
            'Your id for this request, the same on every retry of it (a UUID): a request repeated with the same key ' +
            "within the channel's redelivery window (messaging-api: 24 h) counts nothing more and opens nothing. " +
            'For POST /v1/messages the bot answers again, with the original stamp and `redelivered: true`; a ' +
            'repeated handoff, survey or end does nothing and returns the session as it is now. Keys are remembered ' +
            'per conversation (the newest 32). 1 to 255 visible ASCII characters, quoted or not.',
          schema: { type: 'string', minLength: 1, maxLength: 257 },
          example: '"8e03978e-40d5-43e8-bc93-6894a57f9324"',
        },
      },
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'One of the API keys.' } },
    },
  };
}
