import { applyDecorators } from '@nestjs/common';
import {
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
  OpenAPIObject,
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger';
import { ERROR_CATALOG, ErrorCode, reasonPhrase } from '@app/common';
import { PAYMENT_STATUSES } from '@app/providers';
import { ATTEMPT_OUTCOMES, SESSION_STATUSES } from '../sessions/domain/session';
import {
  IDEMPOTENT_REPLAYED,
  ResponseHeaderName,
  responseHeaders,
  RETRY_AFTER,
  WWW_AUTHENTICATE,
} from './headers';

const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

/** The one error body: every error answer of the API is this envelope. */
export class ErrorEnvelopeDto {
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request', description: 'The reason phrase of the status' }) error!: string;
  @ApiProperty({ example: 'Missing required header: Idempotency-Key' }) message!: string;
  @ApiProperty({
    enum: ERROR_CODES,
    example: 'IDEMPOTENCY_KEY_MISSING',
    description: 'Stable upper-snake error code',
  })
  code!: string;
  @ApiPropertyOptional({
    description:
      'What went wrong, in the shape each code documents: an array (per-field errors, per-route reasons) ' +
      'or an object (the conflicting state)',
    oneOf: [{ type: 'array', items: { type: 'object' } }, { type: 'object' }],
  })
  details?: unknown;
}

interface ErrorDoc {
  /** When the API answers with this code. */
  meaning: string;
  details?: SchemaObject;
  /** Every answer with this code has `details`. */
  detailsAlways?: boolean;
  /** Headers every answer with this code carries. */
  headers?: ResponseHeaderName[];
}

const ROUTE_ATTEMPTS: SchemaObject = {
  type: 'array',
  description: 'The provider calls made, one per route tried, in order',
  items: {
    type: 'object',
    required: ['routeId', 'outcome'],
    properties: {
      routeId: { type: 'string' },
      outcome: { type: 'string', enum: ATTEMPT_OUTCOMES.filter((outcome) => outcome !== 'succeeded') },
    },
  },
};

/* Why a capture, void or refund was refused, as payments/domain/payment-rules.ts says it. */
const PAYMENT_STATE: SchemaObject = {
  type: 'object',
  required: ['sessionStatus', 'reason'],
  properties: {
    sessionStatus: { type: 'string', enum: [...SESSION_STATUSES] },
    paymentStatus: { type: 'string', enum: [...PAYMENT_STATUSES] },
    reason: { type: 'string' },
  },
};

/** Amounts in major units of the session's currency. */
function amounts(names: string[]): SchemaObject {
  return {
    type: 'object',
    required: names,
    properties: Object.fromEntries(
      names.map((name) => [name, { type: 'number', description: 'Major units' }]),
    ),
  };
}

/* What each code means, and the details it carries as the code that throws it builds them. */
const ERROR_DOCS: Record<ErrorCode, ErrorDoc> = {
  VALIDATION_FAILED: {
    meaning: 'A field is missing, malformed or unknown; `details` names each one.',
    details: {
      type: 'array',
      description: 'Every refused field, with why',
      items: {
        type: 'object',
        required: ['field', 'messages'],
        properties: {
          field: { type: 'string', example: 'orderItems.0.quantity' },
          messages: { type: 'array', minItems: 1, items: { type: 'string' } },
        },
      },
    },
  },
  MALFORMED_JSON: { meaning: 'The body is empty, or is not JSON.' },
  IDEMPOTENCY_KEY_MISSING: { meaning: 'There is no Idempotency-Key header.' },
  IDEMPOTENCY_KEY_INVALID: { meaning: 'The Idempotency-Key is not 1 to 255 printable ASCII characters.' },
  AMOUNT_MISMATCH: {
    meaning: '`amount.total` is not Σ(quantity × unitPrice) + shipping + tax, exactly, in minor units.',
    detailsAlways: true,
    details: {
      type: 'object',
      required: ['field', 'expectedMinor', 'declaredMinor'],
      properties: {
        field: { type: 'string', enum: ['amount.total'] },
        expectedMinor: {
          type: 'string',
          pattern: '^[0-9]+$',
          description: 'Σ(quantity × unitPrice) + shipping + tax, in minor units',
        },
        declaredMinor: { type: 'string', pattern: '^[0-9]+$', description: 'amount.total, in minor units' },
      },
    },
  },
  UNAUTHORIZED: {
    meaning: 'There is no bearer token, or it does not verify (signature, expiry, issuer, audience).',
    headers: [WWW_AUTHENTICATE],
  },
  NOT_FOUND: { meaning: 'There is no such resource, or it belongs to another merchant.' },
  METHOD_NOT_ALLOWED: { meaning: 'The path does not take this method.' },
  IDEMPOTENCY_KEY_IN_USE: {
    meaning: 'A request with this Idempotency-Key is still running: retry after `Retry-After` seconds.',
    detailsAlways: true,
    headers: [RETRY_AFTER],
    details: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } },
  },
  DUPLICATE_ORDER: {
    meaning: 'This orderReference already has a live (PENDING) session: `details.sessionId`.',
    detailsAlways: true,
    details: {
      type: 'object',
      required: ['reason', 'sessionId'],
      properties: {
        reason: { type: 'string' },
        sessionId: { type: 'string', format: 'uuid', description: 'The live session of this orderReference' },
      },
    },
  },
  SESSION_NOT_PAYABLE: { meaning: 'The session is no longer PENDING.' },
  SESSION_NOT_CANCELLABLE: {
    meaning: 'The session is COMPLETED, FAILED or EXPIRED (`details.status`), so it cannot be cancelled.',
    detailsAlways: true,
    details: {
      type: 'object',
      required: ['status'],
      properties: {
        status: { type: 'string', enum: ['PENDING', 'COMPLETED', 'FAILED', 'EXPIRED'] },
        reason: { type: 'string' },
      },
    },
  },
  WEBHOOK_URL_REFUSED: {
    meaning: 'The webhook URL breaks a rule; `details.rule` names it and `details.reason` says how.',
    detailsAlways: true,
    details: {
      type: 'object',
      required: ['field', 'rule', 'reason'],
      properties: {
        field: { type: 'string', enum: ['url'] },
        rule: {
          type: 'string',
          enum: ['valid_url', 'max_length', 'https_only', 'no_credentials', 'public_address'],
        },
        reason: { type: 'string', example: '127.0.0.1 is a loopback address' },
      },
    },
  },
  WEBHOOK_ENDPOINT_DISABLED: {
    meaning: 'The endpoint named is disabled: enable it (PATCH enabled: true) first.',
    detailsAlways: true,
    details: {
      type: 'object',
      required: ['endpointId'],
      properties: { endpointId: { type: 'string', format: 'uuid' } },
    },
  },
  NO_WEBHOOK_ENDPOINT: {
    meaning: 'No enabled endpoint of yours is subscribed to this event type.',
    detailsAlways: true,
    details: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } },
  },
  PAYMENT_NOT_CAPTURABLE: {
    meaning:
      'The payment cannot be captured: the session is not COMPLETED, or the payment is not (or no longer) an ' +
      'authorization nothing was captured from, or a capture or void of it is in progress. No provider is called.',
    detailsAlways: true,
    details: PAYMENT_STATE,
  },
  CAPTURE_EXCEEDS_AUTHORIZED: {
    meaning: 'The capture asks for more than was authorized. No provider is called.',
    detailsAlways: true,
    details: amounts(['requestedAmount', 'authorizedAmount']),
  },
  PAYMENT_NOT_VOIDABLE: {
    meaning:
      'The payment cannot be voided: the session is not COMPLETED, or something was captured (refund it ' +
      'instead), or a capture or void of it is in progress. No provider is called.',
    detailsAlways: true,
    details: PAYMENT_STATE,
  },
  PAYMENT_NOT_REFUNDABLE: {
    meaning:
      'The payment cannot be refunded: the session is not COMPLETED, or nothing was captured. No provider is called.',
    detailsAlways: true,
    details: PAYMENT_STATE,
  },
  REFUND_EXCEEDS_CAPTURED: {
    meaning:
      'The refund asks for more than is left: what was captured, less what is refunded and what refunds in ' +
      'flight hold. No provider is called.',
    detailsAlways: true,
    details: amounts(['requestedAmount', 'refundableAmount', 'capturedAmount', 'refundedAmount']),
  },
  WEBHOOK_REJECTED: { meaning: 'The webhook signature or timestamp does not verify.' },
  PAYLOAD_TOO_LARGE: { meaning: 'The body is larger than 1 MB.' },
  UNSUPPORTED_MEDIA_TYPE: { meaning: 'The body is not `application/json`.' },
  IDEMPOTENCY_KEY_MISMATCH: { meaning: 'This Idempotency-Key was used before with another body.' },
  NO_AVAILABLE_PROVIDER: {
    meaning: 'No route of the catalog can take this order; `details` says why for each.',
    detailsAlways: true,
    details: {
      type: 'array',
      description: 'Every route of the catalog, with why it was left out',
      items: {
        type: 'object',
        required: ['routeId', 'reason'],
        properties: {
          routeId: { type: 'string' },
          reason: { type: 'string', example: 'currency CHF not supported' },
        },
      },
    },
  },
  INTERNAL_ERROR: { meaning: 'An unexpected failure: it is logged, and the body says nothing of it.' },
  PROVIDER_UNAVAILABLE: {
    meaning: 'The providers tried failed or could not be reached; a retry with the same key runs again.',
    details: ROUTE_ATTEMPTS,
  },
  PROVIDER_REJECTED: { meaning: 'The provider refused the request.', details: ROUTE_ATTEMPTS },
  SERVICE_UNAVAILABLE: {
    meaning:
      'A backing store cannot be reached or is too slow, or the request ran out of time: retry after ' +
      '`Retry-After` seconds.',
    headers: [RETRY_AFTER],
  },
  PROVIDER_TIMEOUT: {
    meaning: 'The providers tried did not answer in time; a retry with the same key runs again.',
    details: ROUTE_ATTEMPTS,
  },
};

/** INTERNAL_ERROR → InternalError, MALFORMED_JSON → MalformedJsonError. */
function schemaName(code: ErrorCode): string {
  const pascal = code
    .toLowerCase()
    .split('_')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');
  return pascal.endsWith('Error') ? pascal : `${pascal}Error`;
}

function errorSchema(code: ErrorCode): SchemaObject {
  const { status, message } = ERROR_CATALOG[code];
  const doc = ERROR_DOCS[code];
  return {
    description: doc.meaning,
    allOf: [{ $ref: getSchemaPath(ErrorEnvelopeDto) }],
    type: 'object',
    ...(doc.detailsAlways ? { required: ['details'] } : {}),
    properties: {
      statusCode: { type: 'integer', enum: [status] },
      error: { type: 'string', enum: [reasonPhrase(status)] },
      message: { type: 'string', enum: [message] },
      code: { type: 'string', enum: [code] },
      ...(doc.details ? { details: doc.details } : {}),
    },
  };
}

function errorRef(code: ErrorCode): ReferenceObject {
  return { $ref: `#/components/schemas/${schemaName(code)}` };
}

/** Adds the schema of every error code the operations refer to (and only those: no unused components). */
export function addErrorSchemas(document: OpenAPIObject): void {
  const text = JSON.stringify(document.paths);
  const schemas = (document.components ??= {}).schemas ?? {};
  for (const code of ERROR_CODES) {
    if (text.includes(`"${errorRef(code).$ref}"`)) schemas[schemaName(code)] = errorSchema(code);
  }
  document.components.schemas = schemas;
}

/**
 * The error answers of an operation, grouped by status: each code with its message word for word,
 * its details and the headers it carries. `replayed`: codes stored as the key's final answer, whose
 * replay carries Idempotent-Replayed.
 */
export function ApiErrors(codes: ErrorCode[], options: { replayed?: ErrorCode[] } = {}) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CATALOG[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const replayed = new Set(options.replayed ?? []);
  return applyDecorators(
    ...[...byStatus].map(([status, group]) => {
      const headerNames = new Set(group.flatMap((code) => ERROR_DOCS[code].headers ?? []));
      const headers = [...headerNames].map((name) => {
        const carriers = group.filter((code) => ERROR_DOCS[code].headers?.includes(name));
        const required = carriers.length === group.length;
        return { name, required, when: required ? undefined : `With ${carriers.join(', ')}.` };
      });
      const replays = group.filter((code) => replayed.has(code));
      if (replays.length > 0) {
        headers.push({
          name: IDEMPOTENT_REPLAYED,
          required: false,
          when: `On a replay of ${replays.join(', ')}.`,
        });
      }
      const refs = group.map(errorRef);
      return ApiResponse({
        status,
        description: group
          .map((code) => `\`${code}\`: ${ERROR_DOCS[code].meaning} Message: "${ERROR_CATALOG[code].message}"`)
          .join('\n\n'),
        schema: refs.length === 1 ? refs[0] : { oneOf: refs },
        ...(headers.length > 0 ? { headers: responseHeaders(headers) } : {}),
      });
    }),
  );
}
