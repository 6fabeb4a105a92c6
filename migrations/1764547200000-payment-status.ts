import { MigrationInterface, QueryRunner } from 'typeorm';

/** Our own payment status beside the provider's word (`transaction_status`), so the API never shows a vendor's enum. */
export class PaymentStatus1764547200000 implements MigrationInterface {
  name = 'PaymentStatus1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE checkout_sessions ADD COLUMN payment_status varchar(32)`);
    // Rows written before this column existed carry Gr4vy's word only: translate it once.
    await queryRunner.query(`
      UPDATE checkout_sessions SET payment_status = CASE transaction_status
        WHEN 'processing' THEN 'processing'
        WHEN 'buyer_approval_pending' THEN 'approval_required'
        WHEN 'authorization_succeeded' THEN 'authorized'
        WHEN 'capture_pending' THEN 'capture_pending'
        WHEN 'capture_succeeded' THEN 'captured'
        WHEN 'authorization_declined' THEN 'declined'
        WHEN 'authorization_failed' THEN 'failed'
        WHEN 'authorization_void_pending' THEN 'void_pending'
        WHEN 'authorization_voided' THEN 'voided'
      END
      WHERE transaction_status IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE checkout_sessions DROP COLUMN payment_status`);
  }
}
