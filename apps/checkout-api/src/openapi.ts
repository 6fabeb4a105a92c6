import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiProperty, ApiPropertyOptional, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const BEARER_SCHEME = 'bearer';
export const IDEMPOTENCY_SCHEME = 'idempotencyKey';

/** The one error body, for the document. */
export class ErrorEnvelopeDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ example: 'Missing required header: Idempotency-Key' }) message!: string;
  @ApiProperty({ example: 'IDEMPOTENCY_KEY_MISSING', description: 'Stable upper-snake error code' })
  code!: string;
  @ApiPropertyOptional({ description: 'Per-field errors, per-route reasons, or the conflicting session' })
  details?: unknown;
}

export function buildOpenApiDocument(app: NestFastifyApplication) {
  const config = new DocumentBuilder()
    .setTitle('checkout-orchestrator')
    .setDescription(
      'Opens checkout sessions for orders across payment providers. Amounts are JSON numbers in major units; ' +
        'every error body is {statusCode, error, message, code, details?}.',
    )
    .setVersion('1.0.0')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Merchant JWT; `sub` is the merchant id',
      },
      BEARER_SCHEME,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'Idempotency-Key',
        description:
          'Client-generated unique key (1-255 printable ASCII) used to safely retry session creation',
      },
      IDEMPOTENCY_SCHEME,
    )
    .build();
  return SwaggerModule.createDocument(app, config, { extraModels: [ErrorEnvelopeDto] });
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
