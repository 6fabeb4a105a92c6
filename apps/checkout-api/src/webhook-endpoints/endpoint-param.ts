import { ApiParam } from '@nestjs/swagger';

/** The :endpointId of every endpoint route, as the document declares it. */
export const ApiEndpointIdParam = () =>
  ApiParam({ name: 'endpointId', schema: { type: 'string', format: 'uuid' }, description: 'The endpoint' });
