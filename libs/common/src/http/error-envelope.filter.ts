import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response';

/** The one place where errors become HTTP: every error body is the envelope. */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const response = toErrorResponse(exception);
    if (response.unexpected) {
      this.logger.error(
        { msg: 'unhandled error', method: request.method, route: request.routeOptions?.url },
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    if (reply.sent) return;
    void reply.status(response.status).headers(response.headers).send(response.body);
  }
}
