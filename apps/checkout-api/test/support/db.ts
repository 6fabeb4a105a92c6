import { Pool } from 'pg';
import { requiredEnv } from './harness';

let pool: Pool | undefined;

/** Direct SQL for assertions on what the service stored. */
export function db(): Pool {
  if (!pool) {
    pool = new Pool({ connectionString: requiredEnv('DATABASE_URL'), max: 2 });
    // An idle connection dropped by a Postgres outage (postgres-faults spec) is replaced on its next use.
    pool.on('error', () => undefined);
  }
  return pool;
}

export async function closeDb(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

export async function sessionRows(
  merchantId: string,
): Promise<Array<{ id: string; status: string; order_reference: string }>> {
  const { rows } = await db().query(
    'SELECT id, status, order_reference FROM checkout_sessions WHERE merchant_id = $1',
    [merchantId],
  );
  return rows;
}

/** Every session row of these merchants, keyed `merchant key`, for counting sessions per Idempotency-Key. */
export async function sessionIdsByKey(merchantIds: string[]): Promise<Map<string, string[]>> {
  const { rows } = await db().query(
    'SELECT merchant_id, idempotency_key, id FROM checkout_sessions WHERE merchant_id = ANY($1)',
    [merchantIds],
  );
  const byKey = new Map<string, string[]>();
  for (const row of rows as Array<{ merchant_id: string; idempotency_key: string; id: string }>) {
    const key = `${row.merchant_id} ${row.idempotency_key}`;
    byKey.set(key, [...(byKey.get(key) ?? []), row.id]);
  }
  return byKey;
}
