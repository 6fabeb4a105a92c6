import Fastify, { FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { jsonBodyParser } from './json-body-parser';

function parse(raw: string): Promise<unknown> {
  const parser = jsonBodyParser(Fastify());
  return new Promise((resolve, reject) => {
    parser({} as FastifyRequest, Buffer.from(raw), (error, value) =>
      error ? reject(error) : resolve(value),
    );
  });
}

describe('jsonBodyParser', () => {
  it('parses a JSON body', async () => {
    await expect(parse('{"a":[1,"x"]}')).resolves.toEqual({ a: [1, 'x'] });
  });

  it.each([
    ['an empty body', ''],
    ['a truncated body', '{"orderReference": '],
    ['a body that is not JSON', 'orderReference=1'],
    ['a prototype-poisoning body', '{"__proto__": {"admin": true}}'],
  ])('refuses %s as MALFORMED_JSON', async (_name, raw) => {
    const error = await parse(raw).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'MALFORMED_JSON', status: 400 });
  });
});
