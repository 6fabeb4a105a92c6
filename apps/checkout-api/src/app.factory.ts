import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import helmet from '@fastify/helmet';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { ErrorEnvelopeFilter, jsonBodyParser } from '@app/common';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { setupOpenApi } from './openapi';
import { MetricsService } from './observability/metrics.service';
import { ShutdownState } from './observability/shutdown.state';
import { RequestTimeoutInterceptor } from './observability/request-timeout.interceptor';

export const BODY_LIMIT_BYTES = 1024 * 1024;
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Builds the configured application: the same for main.ts and the e2e tests. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    requestTimeout: config.requestTimeoutMs,
    // Above common gateway idle timeouts (60 s), so the gateway closes idle connections first.
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // The X-Request-Id of the caller (or a new one) is the request's id everywhere: logs, responses, providers.
    genReqId: (request: IncomingMessage) => {
      const header = request.headers['x-request-id'];
      const id = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
      request.id = id;
      return id;
    },
    requestIdHeader: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forConfig(config), adapter, {
    bufferLogs: true,
    abortOnError: false,
    // Webhook signatures are computed over the exact bytes received.
    rawBody: true,
  });
  app.useLogger(app.get(Logger));
  // JSON is the only body this API takes: any other media type is a 415.
  app.useBodyParser(
    'application/json',
    { bodyLimit: BODY_LIMIT_BYTES },
    jsonBodyParser(app.getHttpAdapter().getInstance()),
  );
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  app.useGlobalInterceptors(new RequestTimeoutInterceptor(config.requestTimeoutMs));
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Idempotent-Replayed', 'Retry-After'],
      maxAge: 600,
    });
  }
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
  });

  const metrics = app.get(MetricsService);
  const shutdown = app.get(ShutdownState);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
    // Once draining, a kept-alive connection would outlive its last response and hold up server.close().
    if (shutdown.isDraining) reply.header('Connection', 'close');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  setupOpenApi(app);
  await app.init();
  return app;
}
