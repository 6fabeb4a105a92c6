import { NO_MONEY_MOVED, ProviderAttempt, Session } from '../domain/session';
import { columnList, placeholders, readRow, recordsetColumns, writeRecord, writeRow } from './column-map';
import {
  ATTEMPT_COLUMNS,
  ATTEMPT_TABLE,
  BALANCE_COLUMNS,
  PAYMENT_COLUMNS,
  SESSION_COLUMNS,
  SESSION_TABLE,
} from './session.columns';

/** Every column of checkout_sessions, the list toSession reads (SELECT, RETURNING). */
export const SESSION_SELECT = columnList(SESSION_TABLE.columns);

/** The insert of one session row, its parameters (sessionInsertValues) numbered from `first`. */
export function sessionInsert(first = 1): string {
  const values = placeholders(SESSION_TABLE.columns.length, first);
  return `INSERT INTO ${SESSION_TABLE.name} (${SESSION_SELECT}) VALUES (${values})`;
}

/** The parameters of sessionInsert, in SESSION_SELECT's order. */
export function sessionInsertValues(session: Session): unknown[] {
  return [
    ...writeRow(SESSION_COLUMNS, session),
    ...writeRow(PAYMENT_COLUMNS, session.payment ?? {}),
    ...writeRow(BALANCE_COLUMNS, session.balance ?? NO_MONEY_MOVED),
  ];
}

export function toSession(raw: Record<string, unknown>): Session {
  const payment = readRow(PAYMENT_COLUMNS, raw);
  return {
    ...readRow(SESSION_COLUMNS, raw),
    payment: payment.transactionId === undefined ? undefined : payment,
    balance: readRow(BALANCE_COLUMNS, raw),
  };
}

/** Every column of provider_attempts that the service writes and reads. */
export const ATTEMPT_SELECT = columnList(ATTEMPT_TABLE.columns);

/** The attempts of attemptsJson, passed as `param`, as rows. */
export function attemptRecordset(param: string): string {
  return `jsonb_to_recordset(${param}::jsonb) AS a(${recordsetColumns(ATTEMPT_COLUMNS)})`;
}

export function attemptsJson(attempts: ProviderAttempt[]): string {
  return JSON.stringify(attempts.map((attempt) => writeRecord(ATTEMPT_COLUMNS, attempt)));
}

export function toAttempt(raw: Record<string, unknown>): ProviderAttempt {
  return readRow(ATTEMPT_COLUMNS, raw);
}
