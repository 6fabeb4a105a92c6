import { MoneyError } from './money-error';

/** One order line: `quantity` × `unitPriceMinor` (minor units of the order's currency). */
export interface OrderLine {
  readonly quantity: bigint | number;
  readonly unitPriceMinor: bigint;
}

export interface OrderTotalParts {
  readonly items: readonly OrderLine[];
  readonly shippingMinor: bigint;
  readonly taxMinor: bigint;
}

export type ReconcileResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly expectedMinor: bigint; readonly declaredMinor: bigint };

/**
 * Σ(quantity × unitPriceMinor) + shippingMinor + taxMinor, in bigint so no
 * product or sum can overflow or lose precision. All inputs must be
 * non-negative integers (quantity: bigint or safe integer number).
 * @throws MoneyError NOT_AN_INTEGER or NEGATIVE naming the offending field
 */
export function computeOrderTotal(parts: OrderTotalParts): bigint {
  let total =
    nonNegativeMinor(parts.shippingMinor, 'shippingMinor') + nonNegativeMinor(parts.taxMinor, 'taxMinor');
  parts.items.forEach((item, index) => {
    const quantity = nonNegativeQuantity(item.quantity, `items[${index}].quantity`);
    const unitPrice = nonNegativeMinor(item.unitPriceMinor, `items[${index}].unitPriceMinor`);
    total += quantity * unitPrice;
  });
  return total;
}

/**
 * Checks a client-declared total against the sum of its parts, exactly.
 * @throws MoneyError when the declared total or a part is not a non-negative integer
 */
export function reconcileTotal(declaredTotalMinor: bigint, parts: OrderTotalParts): ReconcileResult {
  const declaredMinor = nonNegativeMinor(declaredTotalMinor, 'declaredTotalMinor');
  const expectedMinor = computeOrderTotal(parts);
  return expectedMinor === declaredMinor ? { ok: true } : { ok: false, expectedMinor, declaredMinor };
}

function nonNegativeMinor(value: bigint, field: string): bigint {
  if (typeof value !== 'bigint') {
    throw new MoneyError('NOT_AN_INTEGER', `${field} must be a bigint of minor units, got ${typeof value}`);
  }
  if (value < 0n) throw new MoneyError('NEGATIVE', `${field} must not be negative, got ${value}`);
  return value;
}

function nonNegativeQuantity(value: bigint | number, field: string): bigint {
  let quantity: bigint;
  if (typeof value === 'bigint') {
    quantity = value;
  } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
    quantity = BigInt(value);
  } else {
    throw new MoneyError('NOT_AN_INTEGER', `${field} must be an integer, got ${String(value)}`);
  }
  if (quantity < 0n) throw new MoneyError('NEGATIVE', `${field} must not be negative, got ${quantity}`);
  return quantity;
}
