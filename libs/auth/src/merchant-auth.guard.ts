import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError } from '@app/common';
import type { FastifyRequest } from 'fastify';
import { JwtVerifier } from './jwt-verifier';

export interface AuthenticatedRequest extends FastifyRequest {
  merchantId?: string;
}

const UNAUTHORIZED_HEADERS = { 'WWW-Authenticate': 'Bearer' };

/** Authenticates the merchant from `Authorization: Bearer <JWT>` and puts its id on the request. */
@Injectable()
export class MerchantAuthGuard implements CanActivate {
  constructor(private readonly verifier: JwtVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim()) : null;
    if (!match) throw new DomainError('UNAUTHORIZED', undefined, UNAUTHORIZED_HEADERS);
    try {
      request.merchantId = (await this.verifier.verify(match[1])).merchantId;
    } catch {
      throw new DomainError('UNAUTHORIZED', undefined, UNAUTHORIZED_HEADERS);
    }
    return true;
  }
}
