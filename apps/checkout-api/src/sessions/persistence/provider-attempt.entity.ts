import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'provider_attempts' })
export class ProviderAttemptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'session_id', type: 'uuid' }) sessionId!: string;
  @Column({ name: 'merchant_id', type: 'varchar' }) merchantId!: string;
  @Column({ name: 'idempotency_key', type: 'varchar' }) idempotencyKey!: string;
  @Column({ name: 'attempt_no', type: 'smallint' }) attemptNo!: number;
  @Column({ name: 'route_id', type: 'varchar' }) routeId!: string;
  @Column({ type: 'varchar' }) adapter!: string;
  @Column({ type: 'varchar' }) outcome!: string;
  @Column({ name: 'error_code', type: 'varchar', nullable: true }) errorCode!: string | null;
  @Column({ name: 'provider_status', type: 'integer', nullable: true }) providerStatus!: number | null;
  @Column({ name: 'latency_ms', type: 'integer' }) latencyMs!: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
