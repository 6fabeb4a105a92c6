import { MigrationInterface, QueryRunner } from 'typeorm';

/** Listing by merchant, newest first, and the reconciler's bookkeeping. */
export class SessionLifecycle1764633600000 implements MigrationInterface {
  name = 'SessionLifecycle1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Keyset pagination on (created_at, id) within a merchant: page 1,000 costs what page 1 costs.
    await queryRunner.query(
      `CREATE INDEX ix_checkout_sessions_merchant_created ON checkout_sessions (merchant_id, created_at DESC, id DESC)`,
    );
    // Sessions the reconciler asks about: PENDING ones, oldest update first.
    await queryRunner.query(
      `CREATE INDEX ix_checkout_sessions_pending_updated ON checkout_sessions (updated_at) WHERE status = 'PENDING'`,
    );
    // One row per session the reconciler has looked at: its back-off, its lease, and whether the
    // provider's session was closed (expired or cancelled there) once ours had expired.
    await queryRunner.query(`
      CREATE TABLE session_reconciliation (
        session_id          uuid PRIMARY KEY REFERENCES checkout_sessions (id) ON DELETE CASCADE,
        checks              integer NOT NULL DEFAULT 0,
        next_check_at       timestamptz,
        lease_until         timestamptz,
        last_checked_at     timestamptz,
        closed_at_provider  timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE session_reconciliation`);
    await queryRunner.query(`DROP INDEX ix_checkout_sessions_pending_updated`);
    await queryRunner.query(`DROP INDEX ix_checkout_sessions_merchant_created`);
  }
}
