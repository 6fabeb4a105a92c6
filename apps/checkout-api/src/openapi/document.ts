import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  DocumentBuilder,
  OpenAPIObject,
  OperationObject,
  ReferenceObject,
  SchemaObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { addErrorSchemas, ErrorEnvelopeDto } from './error-responses';
import {
  REQUEST_ID_HEADER_COMPONENT,
  REQUEST_ID_PARAMETER,
  REQUEST_ID_RESPONSE_HEADER,
  requestIdRef,
} from './headers';

export const BEARER_SCHEME = 'bearer';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function operations(document: OpenAPIObject): OperationObject[] {
  return Object.values(document.paths).flatMap((item) =>
    HTTP_METHODS.map((method) => item[method]).filter((op): op is OperationObject => op !== undefined),
  );
}

function isReference(value: unknown): value is ReferenceObject {
  return typeof value === 'object' && value !== null && '$ref' in value;
}

/** app.factory.ts sets X-Request-Id on every response, whatever answers it. */
function declareRequestIdOnEveryResponse(document: OpenAPIObject): void {
  const components = (document.components ??= {});
  components.headers = { ...components.headers, [REQUEST_ID_HEADER_COMPONENT]: REQUEST_ID_RESPONSE_HEADER };
  for (const operation of operations(document)) {
    for (const response of Object.values(operation.responses)) {
      if (!response || isReference(response)) continue;
      response.headers = { 'X-Request-Id': requestIdRef(), ...response.headers };
    }
  }
}

/**
 * Every JSON body goes through validateBody, which refuses unknown fields at any depth: each object
 * schema a request body reaches says so (unless it declares its own additionalProperties).
 */
function closeRequestBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const seen = new Set<SchemaObject>();
  const close = (node: SchemaObject | ReferenceObject | undefined): void => {
    if (!node) return;
    const schema = isReference(node) ? schemas[node.$ref.replace('#/components/schemas/', '')] : node;
    if (!schema || isReference(schema) || seen.has(schema)) return;
    seen.add(schema);
    if (schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
    Object.values(schema.properties ?? {}).forEach(close);
    if (schema.items) close(schema.items);
    [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])].forEach(close);
  };
  for (const operation of operations(document)) {
    const body = operation.requestBody;
    if (body && !isReference(body)) close(body.content['application/json']?.schema);
  }
}

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('checkout-orchestrator')
    .setDescription(
      'Opens checkout sessions for orders across payment providers. Amounts are JSON numbers in major units; ' +
        'every error body is {statusCode, error, message, code, details?}.',
    )
    .setVersion('1.0.0')
    // Relative: the service that serves this document, at whatever address it is reached.
    .addServer('/', 'This service')
    .addTag('sessions', 'Checkout sessions: open one for an order, read where it stands')
    .addTag('routing', 'How an order would be routed, explained, without creating anything')
    .addTag('webhook endpoints', 'Where your events are sent, signed with Standard Webhooks')
    .addTag('events', 'Your events, their deliveries and attempts; redelivery for when you were down')
    .addTag('payments', 'After checkout: capture, void and refund, whichever provider took the payment')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Merchant JWT; `sub` is the merchant id',
      },
      BEARER_SCHEME,
    )
    .addGlobalParameters(REQUEST_ID_PARAMETER)
    .build();
  // package.json says UNLICENSED: no public licence, so no licence URL either.
  config.info.license = { name: 'Proprietary' };
  delete config.info.contact;
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorEnvelopeDto] });
  addErrorSchemas(document);
  declareRequestIdOnEveryResponse(document);
  closeRequestBodies(document);
  return document;
}

const UI_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>checkout-orchestrator API</title><link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`;
const UI_INIT = `window.ui = SwaggerUIBundle({ url: '/api/docs-json', dom_id: '#swagger-ui' });`;

/**
 * The document as JSON at /api/docs-json, and Swagger UI at /api/docs served from
 * swagger-ui-dist (no static-file plugin: the three assets are read once at start).
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
    ui: false,
    raw: ['json'],
  });
  const dist = dirname(require.resolve('swagger-ui-dist/package.json'));
  const assets: Record<string, { type: string; body: string }> = {
    '/api/docs': { type: 'text/html; charset=utf-8', body: UI_PAGE },
    '/api/docs/init.js': { type: 'application/javascript', body: UI_INIT },
    '/api/docs/swagger-ui.css': {
      type: 'text/css',
      body: readFileSync(join(dist, 'swagger-ui.css'), 'utf8'),
    },
    '/api/docs/swagger-ui-bundle.js': {
      type: 'application/javascript',
      body: readFileSync(join(dist, 'swagger-ui-bundle.js'), 'utf8'),
    },
  };
  const fastify = app.getHttpAdapter().getInstance();
  for (const [url, asset] of Object.entries(assets)) {
    fastify.get(url, (_request, reply) => {
      void reply
        .header('Content-Type', asset.type)
        .header('Cache-Control', 'public, max-age=3600')
        .send(asset.body);
    });
  }
}
