import { MigrationInterface, QueryRunner } from 'typeorm';

export class SessionPayments1763856000000 implements MigrationInterface {
  name = 'SessionPayments1763856000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE checkout_sessions
        ADD COLUMN transaction_id varchar(255),
        ADD COLUMN transaction_status varchar(64),
        ADD COLUMN decline_reason varchar(255),
        ADD COLUMN completed_at timestamptz,
        ADD COLUMN failed_at timestamptz`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX ux_checkout_sessions_transaction ON checkout_sessions (transaction_id) WHERE transaction_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX ix_checkout_sessions_provider_session ON checkout_sessions (provider_session_id)`,
    );
    // Provider notifications already applied, by the provider's event id: a redelivery is ignored.
    await queryRunner.query(`
      CREATE TABLE webhook_events (
        adapter        varchar(32) NOT NULL,
        event_id       varchar(255) NOT NULL,
        transaction_id varchar(255) NOT NULL,
        received_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (adapter, event_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_events`);
    await queryRunner.query(`DROP INDEX ix_checkout_sessions_provider_session`);
    await queryRunner.query(`DROP INDEX ux_checkout_sessions_transaction`);
    await queryRunner.query(`
      ALTER TABLE checkout_sessions
        DROP COLUMN transaction_id, DROP COLUMN transaction_status, DROP COLUMN decline_reason,
        DROP COLUMN completed_at, DROP COLUMN failed_at`);
  }
}
