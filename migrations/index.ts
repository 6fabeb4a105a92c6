import { CreateSessions1763769600000 } from './1763769600000-create-sessions';
import { SessionPayments1763856000000 } from './1763856000000-session-payments';
import { PaymentStatus1764547200000 } from './1764547200000-payment-status';
import { SessionLifecycle1764633600000 } from './1764633600000-session-lifecycle';
import { MerchantEvents1764720000000 } from './1764720000000-merchant-events';
import { PaymentOperations1764806400000 } from './1764806400000-payment-operations';

/** Every migration, in order. Listed explicitly so the same list serves ts-jest, tsc output and the CLI. */
export const MIGRATIONS = [
  CreateSessions1763769600000,
  SessionPayments1763856000000,
  PaymentStatus1764547200000,
  SessionLifecycle1764633600000,
  MerchantEvents1764720000000,
  PaymentOperations1764806400000,
];
