import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { Params } from 'nestjs-pino';

/**
 * Paths pino censors wherever they appear. Request headers and bodies are not
 * logged at all (see the serializers); these catch anything passed to a log call.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'authorization',
  'token',
  'secret',
  'password',
  'privateKey',
  'privateKeyPem',
  'email',
  'phone',
  'firstName',
  'lastName',
  'customer',
  'billingAddress',
  'shippingAddress',
  'cardNumber',
  'number',
  'securityCode',
  '*.authorization',
  '*.token',
  '*.secret',
  '*.password',
  '*.privateKey',
  '*.email',
  '*.phone',
  '*.firstName',
  '*.lastName',
  '*.customer',
  '*.cardNumber',
  '*.securityCode',
];

const QUIET_ROUTES = /^\/(health\/|metrics)/;

/** The active span's ids, so a log line leads to its trace; nothing while tracing is off. */
export function traceFields(): { traceId?: string; spanId?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context)) return {};
  return { traceId: context.traceId, spanId: context.spanId };
}

/** JSON logs with the request id and trace id on every line; no headers, bodies or query strings. */
export function loggerParams(level: string): Params {
  return {
    pinoHttp: {
      level,
      genReqId: (req: IncomingMessage) => (req.id === undefined ? randomUUID() : req.id),
      // Lines logged while handling a request carry `requestId`; the completion line carries req.id too.
      quietReqLogger: true,
      mixin: traceFields,
      customAttributeKeys: { reqId: 'requestId' },
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      autoLogging: { ignore: (req: IncomingMessage) => QUIET_ROUTES.test(req.url ?? '') },
      serializers: {
        req: (req: { id?: string; method?: string; url?: string }) => ({
          id: req.id,
          method: req.method,
          path: (req.url ?? '').split('?')[0],
        }),
        res: (res: ServerResponse | { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    },
  };
}
