import { MigrationInterface, QueryRunner } from 'typeorm';

/** After checkout: the payment's money on its session row, and every capture, void and refund asked for. */
export class PaymentOperations1764806400000 implements MigrationInterface {
  name = 'PaymentOperations1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Guarded by the session's row lock; the CHECK is the backstop should a bug ever spend money twice:
    // reservations and refunds never exceed what was captured (or, before a capture, authorized).
    await queryRunner.query(`
      ALTER TABLE checkout_sessions
        ADD COLUMN authorized_minor bigint NOT NULL DEFAULT 0,
        ADD COLUMN captured_minor bigint NOT NULL DEFAULT 0,
        ADD COLUMN refunded_minor bigint NOT NULL DEFAULT 0,
        ADD COLUMN reserved_minor bigint NOT NULL DEFAULT 0,
        ADD CONSTRAINT ck_checkout_sessions_money CHECK (
          authorized_minor >= 0 AND captured_minor >= 0 AND refunded_minor >= 0 AND reserved_minor >= 0
          AND captured_minor <= authorized_minor
          AND refunded_minor + reserved_minor
              <= CASE WHEN captured_minor > 0 THEN captured_minor ELSE authorized_minor END)`);
    // Payments completed before this migration: authorized in full, and captured when the provider said so.
    await queryRunner.query(`
      UPDATE checkout_sessions SET
        authorized_minor = total_minor,
        captured_minor = CASE WHEN payment_status = 'captured' THEN total_minor ELSE 0 END
      WHERE status = 'COMPLETED' AND payment_status IN ('authorized', 'capture_pending', 'captured')`);
    await queryRunner.query(`
      CREATE TABLE payment_operations (
        id                  uuid PRIMARY KEY,
        session_id          uuid NOT NULL REFERENCES checkout_sessions (id),
        merchant_id         varchar(128) NOT NULL,
        kind                varchar(16) NOT NULL CHECK (kind IN ('capture', 'void', 'refund')),
        idempotency_key     varchar(255) NOT NULL,
        attempt             smallint NOT NULL,
        amount_minor        bigint NOT NULL CHECK (amount_minor > 0),
        status              varchar(16) NOT NULL CHECK (status IN ('reserved', 'pending', 'succeeded', 'failed')),
        reason              varchar(100),
        provider_reference  varchar(255),
        provider_status     varchar(64),
        failure_code        varchar(64),
        created_at          timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL
      )`);
    // One operation per (session, kind, Idempotency-Key): the durable backstop of the idempotency claim.
    await queryRunner.query(
      `CREATE UNIQUE INDEX ux_payment_operations_key ON payment_operations (session_id, kind, idempotency_key)`,
    );
    await queryRunner.query(
      `CREATE INDEX ix_payment_operations_session ON payment_operations (session_id, created_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE payment_operations`);
    await queryRunner.query(`
      ALTER TABLE checkout_sessions
        DROP CONSTRAINT ck_checkout_sessions_money,
        DROP COLUMN authorized_minor, DROP COLUMN captured_minor,
        DROP COLUMN refunded_minor, DROP COLUMN reserved_minor`);
  }
}
