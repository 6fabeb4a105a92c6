import { Pool } from 'pg';
import { requiredEnv } from './harness';

let pool: Pool | undefined;

/** Direct SQL for assertions on what the service stored. */
export function db(): Pool {
  pool ??= new Pool({ connectionString: requiredEnv('DATABASE_URL'), max: 2 });
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
