import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { secureFieldsScript, SECURE_FIELDS_PATH } from './secure-fields-script';

/** The Secure Fields endpoint the browser calls cross-origin. */
export const FIELDS_ROUTE = '/checkout/sessions/:session_id/fields';

/**
 * CORS for PUT /checkout/sessions/:id/fields only: the hosted checkout page (another
 * origin) PUTs the card there from the browser. The Origin is echoed; no credentials.
 * Set in an onRequest hook so every answer of the route carries it (validation
 * errors, 404s and injected faults too), or the page could not read the failure.
 */
export function fieldsCorsHeaders(request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin.length > 0) {
    void reply.header('access-control-allow-origin', origin);
  }
  void reply.header('vary', 'Origin');
}

/** The Secure Fields script and the CORS preflight of the fields endpoint (no auth, like Gr4vy). */
export function registerSecureFieldsRoutes(app: FastifyInstance): void {
  app.get(SECURE_FIELDS_PATH, async (request, reply) => {
    return reply
      .code(200)
      .type('application/javascript; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(secureFieldsScript(`${request.protocol}://${request.host}`));
  });

  // Preflight. OPTIONS requests are browser plumbing: the pipeline neither records
  // them nor applies faults or latency to them (see pipeline.ts).
  app.options(FIELDS_ROUTE, async (request, reply) => {
    fieldsCorsHeaders(request, reply);
    return reply
      .code(204)
      .header('access-control-allow-methods', 'PUT')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '600')
      .send();
  });
}
