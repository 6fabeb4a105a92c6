import { randomUUID } from 'node:crypto';
import { ApiContract, ObservedResponse } from './contract';

const DOCUMENT = {
  openapi: '3.0.0',
  info: { title: 'things', version: '1' },
  paths: {
    '/things/{thingId}': {
      get: {
        responses: {
          '200': {
            description: 'a thing',
            headers: {
              'X-Request-Id': { $ref: '#/components/headers/RequestId' },
              'Retry-After': { required: false, schema: { type: 'integer', minimum: 1 } },
            },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          '404': {
            description: 'none',
            headers: { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } },
          },
        },
      },
    },
    '/things': {
      post: {
        requestBody: {
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
        },
        responses: { '204': { description: 'stored' } },
      },
    },
  },
  components: {
    headers: { RequestId: { required: true, schema: { type: 'string', pattern: '^[!-~]{1,128}$' } } },
    schemas: {
      Thing: {
        type: 'object',
        required: ['thingId'],
        properties: {
          thingId: { type: 'string', format: 'uuid' },
          label: { type: 'string', nullable: true, example: 'x' },
        },
      },
    },
  },
};

const contract = new ApiContract(DOCUMENT);

function answer(overrides: Partial<ObservedResponse> = {}): ObservedResponse {
  return {
    status: 200,
    headers: { 'x-request-id': 'req-1', 'content-type': 'application/json; charset=utf-8' },
    text: JSON.stringify({ thingId: randomUUID(), label: null }),
    ...overrides,
  };
}

describe('ApiContract', () => {
  it('lists every documented (operation, status)', () => {
    expect(contract.documentedPairs().sort()).toEqual(
      ['GET /things/{thingId} 200', 'GET /things/{thingId} 404', 'POST /things 204'].sort(),
    );
  });

  it('accepts an answer that matches the document, nullable fields included', () => {
    expect(contract.responseProblems('GET /things/{thingId}', answer())).toEqual([]);
  });

  it('refuses a status the operation does not document', () => {
    expect(contract.responseProblems('GET /things/{thingId}', answer({ status: 500 }))).toEqual([
      'status 500 is not documented for GET /things/{thingId}',
    ]);
  });

  it('refuses a body that does not match the schema', () => {
    const problems = contract.responseProblems('GET /things/{thingId}', answer({ text: '{"thingId":"x"}' }));
    expect(problems).toEqual([expect.stringContaining('/thingId must match format "uuid"')]);
  });

  it('refuses a body in a media type the response does not declare', () => {
    const headers = { 'x-request-id': 'req-1', 'content-type': 'text/plain' };
    expect(contract.responseProblems('GET /things/{thingId}', answer({ headers }))).toEqual([
      'content type text/plain is not one of application/json',
    ]);
  });

  it('refuses a body where none is declared', () => {
    const problems = contract.responseProblems('GET /things/{thingId}', answer({ status: 404 }));
    expect(problems).toEqual([expect.stringContaining('a body is sent but none is declared')]);
  });

  it('refuses a missing required header, and one whose value does not match its schema', () => {
    const missing = answer({ headers: { 'content-type': 'application/json' } });
    expect(contract.responseProblems('GET /things/{thingId}', missing)).toEqual([
      'required header X-Request-Id is missing',
    ]);
    const invalid = answer({
      headers: { 'x-request-id': 'req-1', 'retry-after': 'soon', 'content-type': 'application/json' },
    });
    expect(contract.responseProblems('GET /things/{thingId}', invalid)).toEqual([
      expect.stringContaining('header Retry-After: (root) must be integer'),
    ]);
  });

  it('reads an integer header as a number', () => {
    const headers = { 'x-request-id': 'req-1', 'retry-after': '2', 'content-type': 'application/json' };
    expect(contract.responseProblems('GET /things/{thingId}', answer({ headers }))).toEqual([]);
  });

  it('refuses a header the document declares elsewhere but not for this answer', () => {
    const notFound = answer({
      status: 404,
      text: '',
      headers: { 'x-request-id': 'req-1', 'retry-after': '1' },
    });
    expect(contract.responseProblems('GET /things/{thingId}', notFound)).toEqual([
      'header retry-after is sent but not declared for status 404',
    ]);
  });

  it('checks a request body against the requestBody schema', () => {
    expect(contract.requestBodyProblems('POST /things', { thingId: randomUUID() })).toEqual([]);
    expect(contract.requestBodyProblems('POST /things', { label: 'no id' })).toEqual([
      expect.stringContaining("must have required property 'thingId'"),
    ]);
  });
});
