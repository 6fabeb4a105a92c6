import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';

type Done = (error: Error | null, value?: unknown) => void;
type CallbackBodyParser = (request: FastifyRequest, body: Buffer, done: Done) => void;

/**
 * Fastify's own JSON parser (with its prototype-poisoning guard), except that a body that is
 * empty or not JSON fails as MALFORMED_JSON. Left to Nest, Fastify's parse error reaches the
 * filter as a bare HttpException(400) that has lost its code, and the answer said VALIDATION_FAILED.
 */
export function jsonBodyParser(fastify: FastifyInstance): CallbackBodyParser {
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  // Typed as "callback or promise" parser; Fastify's default is the callback form, and takes a Buffer.
  const parse = fastify.getDefaultJsonParser(
    onProtoPoisoning ?? 'error',
    onConstructorPoisoning ?? 'error',
  ) as unknown as CallbackBodyParser;
  return (request, body, done) => {
    parse(request, body, (error, value) => {
      if (error) done(new DomainError('MALFORMED_JSON', undefined, undefined, { cause: error }));
      else done(null, value);
    });
  };
}
