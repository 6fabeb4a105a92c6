import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { toErrorResponse } from './error-response';

describe('toErrorResponse', () => {
  it('maps a domain error to its status, envelope and headers', () => {
    const response = toErrorResponse(
      new DomainError('IDEMPOTENCY_KEY_IN_USE', { a: 1 }, { 'Retry-After': '1' }),
    );
    expect(response).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        error: 'Conflict',
        message: 'The request conflicts with the current state of the resource',
        code: 'IDEMPOTENCY_KEY_IN_USE',
        details: { a: 1 },
      },
      headers: { 'Retry-After': '1' },
      unexpected: false,
    });
  });

  it('maps the HttpExceptions Nest makes of Fastify body errors by their status', () => {
    expect(toErrorResponse(new HttpException('Request body is too large', 413)).body.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    expect(toErrorResponse(new HttpException('Unsupported Media Type', 415)).body.code).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(toErrorResponse(new NotFoundException()).body.code).toBe('NOT_FOUND');
    expect(toErrorResponse(new BadRequestException()).body.code).toBe('VALIDATION_FAILED');
  });

  it('turns anything unknown into a 500 that reveals nothing', () => {
    const response = toErrorResponse(new Error('password=hunter2 at db.internal:5432'));
    expect(response.unexpected).toBe(true);
    expect(response.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
      code: 'INTERNAL_ERROR',
    });
  });
});
