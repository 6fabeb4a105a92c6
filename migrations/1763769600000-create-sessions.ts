import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSessions1763769600000 implements MigrationInterface {
  name = 'CreateSessions1763769600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE checkout_sessions (
        id                  uuid PRIMARY KEY,
        merchant_id         varchar(128) NOT NULL,
        order_reference     varchar(255) NOT NULL,
        idempotency_key     varchar(255) NOT NULL,
        request_fingerprint char(64) NOT NULL,
        status              varchar(16) NOT NULL
                            CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED', 'EXPIRED', 'CANCELLED')),
        payment_method      varchar(32) NOT NULL,
        currency            char(3) NOT NULL,
        locale              varchar(16),
        total_minor         bigint NOT NULL CHECK (total_minor >= 0 AND total_minor <= 99999999),
        shipping_minor      bigint NOT NULL CHECK (shipping_minor >= 0),
        tax_minor           bigint NOT NULL CHECK (tax_minor >= 0),
        items               jsonb NOT NULL,
        customer            jsonb,
        shipping            jsonb,
        metadata            jsonb,
        redirect_urls       jsonb,
        provider_route_id   varchar(64) NOT NULL,
        provider_adapter    varchar(32) NOT NULL,
        provider_session_id varchar(255) NOT NULL,
        checkout_url        text NOT NULL,
        routing_score       numeric(4, 1) NOT NULL,
        routing_candidates  jsonb NOT NULL,
        expires_at          timestamptz NOT NULL,
        created_at          timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX ux_checkout_sessions_merchant_idempotency_key ON checkout_sessions (merchant_id, idempotency_key)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX ux_checkout_sessions_merchant_id ON checkout_sessions (merchant_id, id)`,
    );
    // At most one live session per order: a PENDING row blocks another; an expired one is marked EXPIRED first.
    await queryRunner.query(
      `CREATE UNIQUE INDEX ux_checkout_sessions_live_order ON checkout_sessions (merchant_id, order_reference) WHERE status = 'PENDING'`,
    );
    await queryRunner.query(
      `CREATE INDEX ix_checkout_sessions_pending_expiry ON checkout_sessions (expires_at) WHERE status = 'PENDING'`,
    );
    await queryRunner.query(`
      CREATE TABLE provider_attempts (
        id               bigserial PRIMARY KEY,
        session_id       uuid NOT NULL,
        merchant_id      varchar(128) NOT NULL,
        idempotency_key  varchar(255) NOT NULL,
        attempt_no       smallint NOT NULL,
        route_id         varchar(64) NOT NULL,
        adapter          varchar(32) NOT NULL,
        outcome          varchar(16) NOT NULL
                         CHECK (outcome IN ('succeeded', 'timeout', 'network', 'server', 'rate_limited', 'rejected')),
        error_code       varchar(64),
        provider_status  integer,
        latency_ms       integer NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now()
      )`);
    // No foreign key: attempts of a create that failed everywhere have no session row, and are kept all the same.
    await queryRunner.query(`CREATE INDEX ix_provider_attempts_session ON provider_attempts (session_id)`);
    await queryRunner.query(
      `CREATE INDEX ix_provider_attempts_merchant_key ON provider_attempts (merchant_id, idempotency_key)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE provider_attempts`);
    await queryRunner.query(`DROP TABLE checkout_sessions`);
  }
}
