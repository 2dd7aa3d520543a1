import { z } from 'zod';
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
    if (route.path.includes('{conversationId}')) {
      operation.parameters = [
        {
          name: 'conversationId',
          in: 'path',
          required: true,
          description: 'Your conversation id, percent-encoded (1 to 256 characters).',
          schema: { type: 'string', minLength: 1, maxLength: 256 },
        },
      ];
    }
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
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'One of the API keys.' } },
    },
  };
}
