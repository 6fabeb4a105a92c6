import { DomainError } from '@app/common';
import {
  assertWithinCap,
  isMoneyError,
  isSupportedCurrency,
  parseMajorToMinor,
  reconcileTotal,
  toSafeNumber,
} from '@app/money';
import { Session } from '../domain/session';
import { AddressRequest, CreateSessionRequest } from './create-session.request';

/** A validated create request in our own terms: every amount in integer minor units. */
export interface CreateSessionCommand extends Pick<
  Session,
  | 'merchantId'
  | 'idempotencyKey'
  | 'orderReference'
  | 'paymentMethod'
  | 'currency'
  | 'locale'
  | 'totalMinor'
  | 'shippingMinor'
  | 'taxMinor'
  | 'items'
  | 'customer'
  | 'shipping'
  | 'redirectUrls'
> {
  fingerprint: string;
  requestId?: string;
  additionalInformation?: Session['metadata'];
}

function invalid(field: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', [{ field, messages: [message] }]);
}

function toMinor(value: number | undefined, currency: string, field: string): bigint {
  if (value === undefined) return 0n;
  try {
    return parseMajorToMinor(value, currency);
  } catch (error) {
    if (isMoneyError(error)) throw invalid(field, `${field}: ${error.message}`);
    throw error;
  }
}

function address(input?: AddressRequest) {
  return input ? { ...input } : undefined;
}

/**
 * The edge where major units become minor units, once, with the currency's
 * ISO 4217 exponent; then the total is reconciled exactly.
 */
export function buildCreateSessionCommand(
  request: CreateSessionRequest,
  context: { merchantId: string; idempotencyKey: string; fingerprint: string; requestId?: string },
): CreateSessionCommand {
  const currency = request.currency;
  if (!isSupportedCurrency(currency))
    throw invalid('currency', `currency ${currency} is not a supported ISO 4217 code`);

  const items = request.orderItems.map((item, index) => ({
    name: item.name,
    sku: item.sku,
    quantity: item.quantity,
    unitPriceMinor: toMinor(item.unitPrice, currency, `orderItems[${index}].unitPrice`),
  }));
  const totalMinor = toMinor(request.amount.total, currency, 'amount.total');
  const shippingMinor = toMinor(request.amount.shipping, currency, 'amount.shipping');
  const taxMinor = toMinor(request.amount.tax, currency, 'amount.tax');

  const reconciled = reconcileTotal(totalMinor, { items, shippingMinor, taxMinor });
  if (!reconciled.ok) {
    throw new DomainError('AMOUNT_MISMATCH', {
      field: 'amount.total',
      expectedMinor: reconciled.expectedMinor.toString(),
      declaredMinor: reconciled.declaredMinor.toString(),
    });
  }
  try {
    assertWithinCap(totalMinor);
    items.forEach((item) => assertWithinCap(item.unitPriceMinor));
  } catch (error) {
    if (isMoneyError(error)) throw invalid('amount.total', `amount.total: ${error.message}`);
    throw error;
  }

  const customer = request.customer
    ? {
        ...request.customer,
        billingAddress: address(request.customer.billingAddress),
        shippingAddress: address(request.customer.shippingAddress),
      }
    : undefined;

  return {
    ...context,
    orderReference: request.orderReference,
    paymentMethod: request.paymentMethod,
    currency,
    locale: request.locale,
    totalMinor: toSafeNumber(totalMinor),
    shippingMinor: toSafeNumber(shippingMinor),
    taxMinor: toSafeNumber(taxMinor),
    items: items.map((item) => ({ ...item, unitPriceMinor: toSafeNumber(item.unitPriceMinor) })),
    customer,
    shipping: request.shipping ? { ...request.shipping } : undefined,
    additionalInformation: request.additionalInformation,
    redirectUrls: request.redirectUrls ? { ...request.redirectUrls } : undefined,
  };
}
