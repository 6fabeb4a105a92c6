import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { DomainError } from '@app/common';
import { Observable, throwError, timeout } from 'rxjs';

/**
 * The last guard on a request's time, set above the routing deadline: a request
 * that outlives it answers 503 with Retry-After instead of holding the caller.
 */
@Injectable()
export class RequestTimeoutInterceptor implements NestInterceptor {
  constructor(private readonly timeoutMs: number) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      timeout({
        first: this.timeoutMs,
        with: () =>
          throwError(() => new DomainError('SERVICE_UNAVAILABLE', undefined, { 'Retry-After': '1' })),
      }),
    );
  }
}
