/**
 * A tiny, allocation-light schema checker used to re-express the parts of the
 * Gr4vy OpenAPI document the sandbox needs. Issues are reported the way
 * FastAPI/pydantic v2 reports them (`loc`, `msg`, `type`, `input`, `ctx`), so a
 * 422 from the sandbox looks like a 422 from Gr4vy.
 *
 * Types are checked strictly (JSON types must match: "12" is not an integer),
 * which is stricter than pydantic's lax mode on purpose: a client that relies on
 * coercion is a client bug worth catching.
 */

export type Loc = (string | number)[];

export interface Issue {
  loc: Loc;
  msg: string;
  type: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

export interface Schema<T> {
  /** Appends issues for `value` at `loc`; returns nothing. */
  check(value: unknown, loc: Loc, issues: Issue[]): void;
  /** Phantom: the TypeScript type of a value that passed `check`. */
  readonly _type?: T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

export type JsonObject = { [key: string]: unknown };

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function issue(
  issues: Issue[],
  loc: Loc,
  type: string,
  msg: string,
  input: unknown,
  ctx?: Record<string, unknown>,
) {
  const entry: Issue = { type, loc, msg, input };
  if (ctx) entry.ctx = ctx;
  issues.push(entry);
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

export interface StringRules {
  min?: number;
  max?: number;
  pattern?: string;
  format?: 'uuid' | 'date-time' | 'date';
}

export function str(rules: StringRules = {}): Schema<string> {
  const re = rules.pattern === undefined ? undefined : new RegExp(rules.pattern);
  return {
    check(value, loc, issues) {
      if (typeof value !== 'string') {
        issue(issues, loc, 'string_type', 'Input should be a valid string', value);
        return;
      }
      if (rules.format === 'uuid') {
        if (!UUID_RE.test(value)) issue(issues, loc, 'uuid_parsing', 'Input should be a valid UUID', value);
        return;
      }
      if (rules.format === 'date-time') {
        if (!DATE_TIME_RE.test(value) || Number.isNaN(Date.parse(value))) {
          issue(issues, loc, 'datetime_parsing', 'Input should be a valid datetime', value);
        }
        return;
      }
      if (rules.format === 'date') {
        if (!DATE_RE.test(value) || Number.isNaN(Date.parse(value))) {
          issue(issues, loc, 'date_parsing', 'Input should be a valid date', value);
        }
        return;
      }
      // pydantic counts code points, not UTF-16 units
      const length = rules.min !== undefined || rules.max !== undefined ? codePointLength(value) : 0;
      if (rules.min !== undefined && length < rules.min) {
        const unit = rules.min === 1 ? 'character' : 'characters';
        issue(issues, loc, 'string_too_short', `String should have at least ${rules.min} ${unit}`, value, {
          min_length: rules.min,
        });
        return;
      }
      if (rules.max !== undefined && length > rules.max) {
        const unit = rules.max === 1 ? 'character' : 'characters';
        issue(issues, loc, 'string_too_long', `String should have at most ${rules.max} ${unit}`, value, {
          max_length: rules.max,
        });
        return;
      }
      if (re && !re.test(value)) {
        issue(
          issues,
          loc,
          'string_pattern_mismatch',
          `String should match pattern '${rules.pattern}'`,
          value,
          {
            pattern: rules.pattern,
          },
        );
      }
    },
  };
}

function codePointLength(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) i++;
    n++;
  }
  return n;
}

export interface NumberRules {
  min?: number;
  max?: number;
  exclusiveMin?: number;
}

function checkBounds(value: number, rules: NumberRules, loc: Loc, issues: Issue[]) {
  if (rules.exclusiveMin !== undefined && !(value > rules.exclusiveMin)) {
    issue(issues, loc, 'greater_than', `Input should be greater than ${rules.exclusiveMin}`, value, {
      gt: rules.exclusiveMin,
    });
  } else if (rules.min !== undefined && value < rules.min) {
    issue(issues, loc, 'greater_than_equal', `Input should be greater than or equal to ${rules.min}`, value, {
      ge: rules.min,
    });
  } else if (rules.max !== undefined && value > rules.max) {
    issue(issues, loc, 'less_than_equal', `Input should be less than or equal to ${rules.max}`, value, {
      le: rules.max,
    });
  }
}

export function int(rules: NumberRules = {}): Schema<number> {
  return {
    check(value, loc, issues) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        issue(issues, loc, 'int_type', 'Input should be a valid integer', value);
        return;
      }
      if (!Number.isInteger(value)) {
        issue(
          issues,
          loc,
          'int_from_float',
          'Input should be a valid integer, got a number with a fractional part',
          value,
        );
        return;
      }
      checkBounds(value, rules, loc, issues);
    },
  };
}

export function num(rules: NumberRules = {}): Schema<number> {
  return {
    check(value, loc, issues) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        issue(issues, loc, 'float_type', 'Input should be a valid number', value);
        return;
      }
      checkBounds(value, rules, loc, issues);
    },
  };
}

export function bool(): Schema<boolean> {
  return {
    check(value, loc, issues) {
      if (typeof value !== 'boolean')
        issue(issues, loc, 'bool_type', 'Input should be a valid boolean', value);
    },
  };
}

function describeChoices(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

export function enumOf<const V extends string>(values: readonly V[]): Schema<V> {
  const set = new Set<string>(values);
  const expected = describeChoices(values);
  return {
    check(value, loc, issues) {
      if (typeof value !== 'string' || !set.has(value)) {
        issue(issues, loc, 'enum', `Input should be ${expected}`, value, { expected });
      }
    },
  };
}

export function literal<const V extends string>(expected: V): Schema<V> {
  return {
    check(value, loc, issues) {
      if (value !== expected) {
        issue(issues, loc, 'literal_error', `Input should be '${expected}'`, value, {
          expected: `'${expected}'`,
        });
      }
    },
  };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    check(value, loc, issues) {
      if (value === null) return;
      inner.check(value, loc, issues);
    },
  };
}

export function arr<T>(items: Schema<T>, rules: { maxItems?: number } = {}): Schema<T[]> {
  return {
    check(value, loc, issues) {
      if (!Array.isArray(value)) {
        issue(issues, loc, 'list_type', 'Input should be a valid list', value);
        return;
      }
      if (rules.maxItems !== undefined && value.length > rules.maxItems) {
        issue(
          issues,
          loc,
          'too_long',
          `List should have at most ${rules.maxItems} items after validation, not ${value.length}`,
          value,
          { field_type: 'List', max_length: rules.maxItems, actual_length: value.length },
        );
        return;
      }
      for (let i = 0; i < value.length; i++) items.check(value[i], [...loc, i], issues);
    },
  };
}

/** An object whose values all follow one schema (OpenAPI `additionalProperties: {schema}`). */
export function record<T>(values: Schema<T>): Schema<Record<string, T>> {
  return {
    check(value, loc, issues) {
      if (!isPlainObject(value)) {
        issue(issues, loc, 'dict_type', 'Input should be a valid dictionary', value);
        return;
      }
      for (const key of Object.keys(value)) values.check(value[key], [...loc, key], issues);
    },
  };
}

/**
 * Any JSON object. Used for the deep provider-specific option trees of
 * TransactionCreate that the sandbox accepts but does not interpret.
 */
export function anyObject(): Schema<JsonObject> {
  return {
    check(value, loc, issues) {
      if (!isPlainObject(value)) issue(issues, loc, 'dict_type', 'Input should be a valid dictionary', value);
    },
  };
}

type Props = Record<string, Schema<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<P extends Props, R extends keyof P> = Simplify<
  { [K in R]: Infer<P[K]> } & { [K in Exclude<keyof P, R>]?: Infer<P[K]> }
>;

export interface ObjectRules<R> {
  required?: readonly R[];
  /** OpenAPI `additionalProperties`; false rejects unknown keys (pydantic `extra_forbidden`). */
  additional?: boolean;
}

export interface ObjectSchema<T> extends Schema<T> {
  readonly props: Props;
}

export function obj<P extends Props, R extends keyof P & string = never>(
  props: P,
  rules: ObjectRules<R> = {},
): ObjectSchema<ObjectOf<P, R>> {
  const keys = Object.keys(props);
  const requiredSet = new Set<string>(rules.required ?? []);
  const closed = rules.additional === false;
  return {
    props,
    check(value, loc, issues) {
      if (!isPlainObject(value)) {
        notAnObject(issues, loc, value);
        return;
      }
      // Field order, like pydantic: each declared field is checked or reported missing, then extras.
      for (const key of keys) {
        if (Object.prototype.hasOwnProperty.call(value, key))
          props[key].check(value[key], [...loc, key], issues);
        else if (requiredSet.has(key)) issue(issues, [...loc, key], 'missing', 'Field required', value);
      }
      if (closed) {
        for (const key of Object.keys(value)) {
          if (!Object.prototype.hasOwnProperty.call(props, key)) {
            issue(issues, [...loc, key], 'extra_forbidden', 'Extra inputs are not permitted', value[key]);
          }
        }
      }
    },
  };
}

function notAnObject(issues: Issue[], loc: Loc, value: unknown): void {
  issue(
    issues,
    loc,
    'model_attributes_type',
    'Input should be a valid dictionary or object to extract fields from',
    value,
  );
}

/**
 * A union chosen by a string property (OpenAPI `discriminator`). Like pydantic,
 * member errors are reported under the tag (`['payment_method', 'card', 'number']`).
 * `defaultTag` is used when the property is absent (a `const` with a default).
 */
export function tagged<M extends Record<string, Schema<unknown>>>(
  property: string,
  members: M,
  defaultTag?: keyof M & string,
): Schema<Infer<M[keyof M]>> {
  const tags = Object.keys(members);
  const expected = tags.map((t) => `'${t}'`).join(', ');
  return {
    check(value, loc, issues) {
      if (!isPlainObject(value)) {
        notAnObject(issues, loc, value);
        return;
      }
      const raw = Object.prototype.hasOwnProperty.call(value, property) ? value[property] : defaultTag;
      if (raw === undefined) {
        issue(
          issues,
          loc,
          'union_tag_not_found',
          `Unable to extract tag using discriminator '${property}'`,
          value,
          {
            discriminator: `'${property}'`,
          },
        );
        return;
      }
      if (typeof raw !== 'string' || !Object.prototype.hasOwnProperty.call(members, raw)) {
        issue(
          issues,
          loc,
          'union_tag_invalid',
          `Input tag '${String(raw)}' found using '${property}' does not match any of the expected tags: ${expected}`,
          value,
          { discriminator: `'${property}'`, tag: String(raw), expected_tags: expected },
        );
        return;
      }
      members[raw].check(value, [...loc, raw], issues);
    },
  };
}

/** Runs a schema; the value is typed only when there were no issues. */
export function validate<T>(
  schema: Schema<T>,
  value: unknown,
  loc: Loc = [],
): { ok: true; value: T } | { ok: false; issues: Issue[] } {
  const issues: Issue[] = [];
  schema.check(value, loc, issues);
  if (issues.length > 0) return { ok: false, issues };
  // Safe: `check` reported no issue, so the value has the shape `T` describes.
  return { ok: true, value: value as T };
}
