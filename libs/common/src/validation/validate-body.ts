import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { DomainError } from '../errors/domain-error';

export interface FieldError {
  field: string;
  messages: string[];
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own: FieldError[] = error.constraints
      ? [{ field, messages: Object.values(error.constraints) }]
      : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Turns an untrusted JSON body into a validated DTO, or throws VALIDATION_FAILED
 * naming every bad field. Unknown fields are refused. No body at all is not JSON:
 * MALFORMED_JSON, as an empty body sent as application/json is.
 */
export async function validateBody<T extends object>(type: ClassConstructor<T>, body: unknown): Promise<T> {
  if (body === undefined) throw new DomainError('MALFORMED_JSON');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError('VALIDATION_FAILED', [
      { field: '(body)', messages: ['body must be a JSON object'] },
    ]);
  }
  const instance = plainToInstance(type, body, { enableImplicitConversion: false });
  const errors = await validate(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) throw new DomainError('VALIDATION_FAILED', flatten(errors));
  return instance;
}
