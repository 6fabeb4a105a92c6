import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ErrorEnvelopeFilter } from '@app/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';

export const BODY_LIMIT_BYTES = 1024 * 1024;
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Builds the configured application: the same for main.ts and the e2e tests. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: (request: IncomingMessage) => {
      const header = request.headers['x-request-id'];
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    },
    requestIdHeader: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forConfig(config), adapter, {
    logger: config.logLevel === 'silent' ? false : ['error', 'warn', 'log'],
    bufferLogs: false,
    abortOnError: false,
  });
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
  await app.init();
  return app;
}
