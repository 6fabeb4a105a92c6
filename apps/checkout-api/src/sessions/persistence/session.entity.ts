import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row shape of checkout_sessions. Never leaves the persistence folder: the mapper turns it into a Session. */
@Entity({ name: 'checkout_sessions' })
export class SessionEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'merchant_id', type: 'varchar' }) merchantId!: string;
  @Column({ name: 'order_reference', type: 'varchar' }) orderReference!: string;
  @Column({ name: 'idempotency_key', type: 'varchar' }) idempotencyKey!: string;
  @Column({ name: 'request_fingerprint', type: 'char' }) requestFingerprint!: string;
  @Column({ type: 'varchar' }) status!: string;
  @Column({ name: 'payment_method', type: 'varchar' }) paymentMethod!: string;
  @Column({ type: 'char' }) currency!: string;
  @Column({ type: 'varchar', nullable: true }) locale!: string | null;
  /* bigint arrives from pg as a string; the mapper converts it (amounts are capped at 99,999,999). */
  @Column({ name: 'total_minor', type: 'bigint' }) totalMinor!: string;
  @Column({ name: 'shipping_minor', type: 'bigint' }) shippingMinor!: string;
  @Column({ name: 'tax_minor', type: 'bigint' }) taxMinor!: string;
  @Column({ type: 'jsonb' }) items!: unknown;
  @Column({ type: 'jsonb', nullable: true }) customer!: unknown;
  @Column({ type: 'jsonb', nullable: true }) shipping!: unknown;
  @Column({ type: 'jsonb', nullable: true }) metadata!: unknown;
  @Column({ name: 'redirect_urls', type: 'jsonb', nullable: true }) redirectUrls!: unknown;
  @Column({ name: 'provider_route_id', type: 'varchar' }) providerRouteId!: string;
  @Column({ name: 'provider_adapter', type: 'varchar' }) providerAdapter!: string;
  @Column({ name: 'provider_session_id', type: 'varchar' }) providerSessionId!: string;
  @Column({ name: 'checkout_url', type: 'text' }) checkoutUrl!: string;
  @Column({ name: 'routing_score', type: 'numeric' }) routingScore!: string;
  @Column({ name: 'routing_candidates', type: 'jsonb' }) routingCandidates!: unknown;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'transaction_id', type: 'varchar', nullable: true }) transactionId!: string | null;
  @Column({ name: 'transaction_status', type: 'varchar', nullable: true }) transactionStatus!: string | null;
  @Column({ name: 'payment_status', type: 'varchar', nullable: true }) paymentStatus!: string | null;
  @Column({ name: 'decline_reason', type: 'varchar', nullable: true }) declineReason!: string | null;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true }) failedAt!: Date | null;
}
