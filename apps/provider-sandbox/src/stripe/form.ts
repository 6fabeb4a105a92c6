/**
 * Decodes `application/x-www-form-urlencoded` bodies written in Stripe's
 * bracket notation into nested objects and arrays:
 *
 *   line_items[0][price_data][currency]=usd  →  { line_items: [{ price_data: { currency: 'usd' } }] }
 *   expand[]=a&expand[]=b                    →  { expand: ['a', 'b'] }
 *
 * A numeric segment makes an array, an empty segment (`[]`) appends. Values
 * stay strings (Stripe parses types per parameter).
 */

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export class FormDecodeError extends Error {
  override readonly name = 'FormDecodeError';
}

const MAX_PARAMS = 1000;
const MAX_DEPTH = 8;
const MAX_INDEX = 999;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Splits `a[b][0][]` into ['a', 'b', '0', '']. */
export function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) {
    if (open === 0) throw new FormDecodeError(`Invalid parameter name: ${key}`);
    return [key];
  }
  const parts = [key.slice(0, open)];
  let i = open;
  while (i < key.length) {
    if (key[i] !== '[') throw new FormDecodeError(`Invalid parameter name: ${key}`);
    const close = key.indexOf(']', i);
    if (close < 0) throw new FormDecodeError(`Invalid parameter name: ${key}`);
    parts.push(key.slice(i + 1, close));
    i = close + 1;
  }
  return parts;
}

export function isFormObject(value: unknown): value is FormObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function segmentKind(segment: string): 'append' | 'index' | 'key' {
  if (segment === '') return 'append';
  return /^\d+$/.test(segment) ? 'index' : 'key';
}

export function decodeForm(raw: string): FormObject {
  const root: FormObject = {};
  let count = 0;
  for (const [key, value] of new URLSearchParams(raw)) {
    if (++count > MAX_PARAMS) throw new FormDecodeError(`Too many parameters (more than ${MAX_PARAMS})`);
    const path = splitKey(key);
    if (path.length > MAX_DEPTH) throw new FormDecodeError(`Parameter nested too deeply: ${key}`);
    assign(root, path, value, key);
  }
  return root;
}

function assign(root: FormObject, path: string[], value: string, fullKey: string) {
  // `container` is where path[i] is written; it is an object or an array.
  let container: FormObject | FormValue[] = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (FORBIDDEN.has(segment)) throw new FormDecodeError(`Invalid parameter name: ${fullKey}`);
    const last = i === path.length - 1;
    const nextKind = last ? null : segmentKind(path[i + 1]);
    const fresh = (): FormValue => (nextKind === 'key' ? {} : []);

    if (Array.isArray(container)) {
      const kind = segmentKind(segment);
      if (kind === 'key') throw new FormDecodeError(`Invalid array index in ${fullKey}`);
      const index: number = kind === 'append' ? container.length : Number(segment);
      if (index > MAX_INDEX) throw new FormDecodeError(`Array index too large in ${fullKey}`);
      if (last) {
        if (container[index] !== undefined) throw new FormDecodeError(`Duplicate parameter: ${fullKey}`);
        container[index] = value;
        return;
      }
      const existing: FormValue | undefined = container[index];
      if (existing === undefined) {
        const created = fresh();
        container[index] = created;
        container = created as FormObject | FormValue[];
      } else if (typeof existing === 'string') {
        throw new FormDecodeError(`Conflicting parameters at ${fullKey}`);
      } else {
        container = existing;
      }
      continue;
    }

    // object container
    if (segment === '') throw new FormDecodeError(`Invalid parameter name: ${fullKey}`);
    if (last) {
      if (Object.prototype.hasOwnProperty.call(container, segment)) {
        throw new FormDecodeError(`Duplicate parameter: ${fullKey}`);
      }
      container[segment] = value;
      return;
    }
    const existing: FormValue | undefined = Object.prototype.hasOwnProperty.call(container, segment)
      ? container[segment]
      : undefined;
    if (existing === undefined) {
      const created = fresh();
      container[segment] = created;
      container = created as FormObject | FormValue[];
    } else if (typeof existing === 'string') {
      throw new FormDecodeError(`Conflicting parameters at ${fullKey}`);
    } else if (nextKind === 'key' && Array.isArray(existing)) {
      throw new FormDecodeError(`Conflicting parameters at ${fullKey}`);
    } else {
      // An object followed by a numeric segment stays an object (a hash with integer keys).
      container = existing;
    }
  }
}
