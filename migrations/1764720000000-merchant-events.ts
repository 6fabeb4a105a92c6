import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Merchant events (issue 13): webhook endpoints, the event outbox, one delivery per event and
 * endpoint, and every attempt of each delivery. The delivery jobs live in pg-boss's own schema.
 */
export class MerchantEvents1764720000000 implements MigrationInterface {
  name = 'MerchantEvents1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_endpoints (
        id                         uuid PRIMARY KEY,
        merchant_id                varchar(128) NOT NULL,
        url                        varchar(2048) NOT NULL,
        description                varchar(500),
        events                     text[] NOT NULL,
        enabled                    boolean NOT NULL,
        disabled_reason            varchar(16) CHECK (disabled_reason IN ('merchant', 'failing', 'gone')),
        secret_sealed              text NOT NULL,
        previous_secret_sealed     text,
        previous_secret_expires_at timestamptz,
        failing_since              timestamptz,
        created_at                 timestamptz NOT NULL,
        updated_at                 timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX ix_webhook_endpoints_merchant ON webhook_endpoints (merchant_id, created_at, id)`,
    );
    await queryRunner.query(`
      CREATE TABLE merchant_events (
        id          varchar(40) PRIMARY KEY,
        merchant_id varchar(128) NOT NULL,
        type        varchar(64) NOT NULL,
        session_id  uuid,
        data        json NOT NULL,
        created_at  timestamptz NOT NULL
      )`);
    // Keyset pagination, newest first, with and without the session filter; and the retention sweep.
    await queryRunner.query(
      `CREATE INDEX ix_merchant_events_merchant_created ON merchant_events (merchant_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX ix_merchant_events_session ON merchant_events (merchant_id, session_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(`CREATE INDEX ix_merchant_events_created ON merchant_events (created_at)`);
    await queryRunner.query(`
      CREATE TABLE event_deliveries (
        id              uuid PRIMARY KEY,
        event_id        varchar(40) NOT NULL REFERENCES merchant_events (id) ON DELETE CASCADE,
        endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        status          varchar(16) NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        delivered_at    timestamptz,
        failed_at       timestamptz,
        failure_reason  varchar(32),
        created_at      timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX ix_event_deliveries_event ON event_deliveries (event_id)`);
    await queryRunner.query(`CREATE INDEX ix_event_deliveries_endpoint ON event_deliveries (endpoint_id)`);
    await queryRunner.query(
      `CREATE INDEX ix_event_deliveries_pending ON event_deliveries (created_at) WHERE status = 'pending'`,
    );
    await queryRunner.query(`
      CREATE TABLE delivery_attempts (
        id          bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES event_deliveries (id) ON DELETE CASCADE,
        endpoint_id uuid NOT NULL,
        attempt_no  integer NOT NULL,
        outcome     varchar(16) NOT NULL CHECK (outcome IN ('in_flight', 'delivered', 'failed', 'interrupted')),
        status_code integer,
        error       varchar(255),
        started_at  timestamptz NOT NULL,
        duration_ms integer
      )`);
    await queryRunner.query(
      `CREATE INDEX ix_delivery_attempts_delivery ON delivery_attempts (delivery_id, id)`,
    );
    // The in-flight attempts of an endpoint are its concurrency slots.
    await queryRunner.query(
      `CREATE INDEX ix_delivery_attempts_in_flight ON delivery_attempts (endpoint_id, started_at) WHERE outcome = 'in_flight'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE delivery_attempts`);
    await queryRunner.query(`DROP TABLE event_deliveries`);
    await queryRunner.query(`DROP TABLE merchant_events`);
    await queryRunner.query(`DROP TABLE webhook_endpoints`);
  }
}
