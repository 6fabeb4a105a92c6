import { IsString } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { validateBody } from './validate-body';

class Named {
  @IsString() name!: string;
}

async function failure(body: unknown): Promise<DomainError> {
  return (await validateBody(Named, body).catch((e: unknown) => e)) as DomainError;
}

describe('validateBody', () => {
  it('answers MALFORMED_JSON when there is no body at all', async () => {
    expect(await failure(undefined)).toMatchObject({ code: 'MALFORMED_JSON' });
  });

  it.each([
    ['null', null],
    ['an array', [1, 2]],
    ['a string', '{"name":"x"}'],
  ])('refuses %s as VALIDATION_FAILED: JSON, but not an object', async (_name, body) => {
    expect(await failure(body)).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: '(body)', messages: ['body must be a JSON object'] }],
    });
  });

  it('names unknown and invalid fields', async () => {
    expect(await failure({ name: 1, extra: true })).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: expect.arrayContaining([
        expect.objectContaining({ field: 'name' }),
        expect.objectContaining({ field: 'extra' }),
      ]),
    });
  });

  it('returns the validated instance', async () => {
    await expect(validateBody(Named, { name: 'x' })).resolves.toEqual(
      Object.assign(new Named(), { name: 'x' }),
    );
  });
});
