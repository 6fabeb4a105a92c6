import type { FastifyInstance } from 'fastify';
import { decodeForm, FormDecodeError } from './stripe/form';

/** A body that could not be decoded; the error handler shapes it per provider. */
export class BodyParseError extends Error {
  override readonly name = 'BodyParseError';
  readonly statusCode = 400;

  constructor(
    readonly format: 'json' | 'form',
    readonly reason: string,
    /** Character offset of a JSON syntax error, when known. */
    readonly position: number,
  ) {
    super(`Invalid ${format === 'json' ? 'JSON' : 'form-encoded'} body: ${reason}`);
  }
}

function jsonErrorPosition(message: string): number {
  const match = /position (\d+)/.exec(message);
  return match ? Number(match[1]) : 0;
}

/**
 * JSON: an empty body parses to null (Gr4vy's create-session body is optional).
 * Form: Stripe's bracket notation, decoded into nested objects and arrays.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, null);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      done(new BodyParseError('json', message, jsonErrorPosition(message)), undefined);
    }
  });

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      try {
        done(null, decodeForm(text));
      } catch (err) {
        if (err instanceof FormDecodeError) {
          done(new BodyParseError('form', err.message, 0), undefined);
          return;
        }
        done(err instanceof Error ? err : new Error(String(err)), undefined);
      }
    },
  );
}
