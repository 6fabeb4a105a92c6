import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { guardStore } from '@app/common';
import type { EventType } from '../../events/domain/event-outbox';
import { rowsOf } from '../../events/delivery/delivery-queue';
import { DisabledReason, WebhookEndpoint } from '../domain/webhook-endpoint';
import { EndpointChanges, WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';

const COLUMNS = `id, merchant_id AS "merchantId", url, description, events, enabled,
  disabled_reason AS "disabledReason", created_at AS "createdAt", updated_at AS "updatedAt"`;

type Row = Record<string, unknown>;

function toEndpoint(row: Row): WebhookEndpoint {
  return {
    id: row.id as string,
    merchantId: row.merchantId as string,
    url: row.url as string,
    description: (row.description as string | null) ?? null,
    events: row.events as EventType[],
    enabled: row.enabled as boolean,
    disabledReason: (row.disabledReason as DisabledReason | null) ?? null,
    createdAt: row.createdAt as Date,
    updatedAt: row.updatedAt as Date,
  };
}

@Injectable()
export class PgWebhookEndpointRepository extends WebhookEndpointRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  insert(endpoint: WebhookEndpoint, secretSealed: string): Promise<void> {
    return guardStore('postgres', async () => {
      await this.dataSource.query(
        `INSERT INTO webhook_endpoints (id, merchant_id, url, description, events, enabled, secret_sealed, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          endpoint.id,
          endpoint.merchantId,
          endpoint.url,
          endpoint.description,
          endpoint.events,
          endpoint.enabled,
          secretSealed,
          endpoint.createdAt,
          endpoint.updatedAt,
        ],
      );
    });
  }

  list(merchantId: string): Promise<WebhookEndpoint[]> {
    return guardStore('postgres', async () =>
      rowsOf(
        await this.dataSource.query(
          `SELECT ${COLUMNS} FROM webhook_endpoints WHERE merchant_id = $1 ORDER BY created_at, id`,
          [merchantId],
        ),
      ).map(toEndpoint),
    );
  }

  find(merchantId: string, id: string): Promise<WebhookEndpoint | null> {
    return guardStore('postgres', async () => {
      const [row] = rowsOf(
        await this.dataSource.query(
          `SELECT ${COLUMNS} FROM webhook_endpoints WHERE merchant_id = $1 AND id = $2`,
          [merchantId, id],
        ),
      );
      return row ? toEndpoint(row) : null;
    });
  }

  /* Enabling clears the failure streak and the reason; disabling by hand records it as the merchant's. */
  update(
    merchantId: string,
    id: string,
    changes: EndpointChanges,
    now: Date,
  ): Promise<WebhookEndpoint | null> {
    return guardStore('postgres', async () => {
      const [row] = rowsOf(
        await this.dataSource.query(
          `UPDATE webhook_endpoints SET
             url = COALESCE($3, url),
             events = COALESCE($4, events),
             description = CASE WHEN $5 THEN $6 ELSE description END,
             enabled = COALESCE($7, enabled),
             disabled_reason = CASE WHEN $7 IS NULL THEN disabled_reason
                                    WHEN $7 THEN NULL
                                    WHEN enabled THEN 'merchant' ELSE disabled_reason END,
             failing_since = CASE WHEN $7 THEN NULL ELSE failing_since END,
             updated_at = $8
           WHERE merchant_id = $1 AND id = $2
           RETURNING ${COLUMNS}`,
          [
            merchantId,
            id,
            changes.url ?? null,
            changes.events ?? null,
            changes.description !== undefined,
            changes.description ?? null,
            changes.enabled ?? null,
            now,
          ],
        ),
      );
      return row ? toEndpoint(row) : null;
    });
  }

  delete(merchantId: string, id: string): Promise<boolean> {
    return guardStore('postgres', async () => {
      const [, affected] = (await this.dataSource.query(
        'DELETE FROM webhook_endpoints WHERE merchant_id = $1 AND id = $2',
        [merchantId, id],
      )) as [unknown, number];
      return affected > 0;
    });
  }

  rotateSecret(
    merchantId: string,
    id: string,
    rotation: { sealSecret: (endpointId: string) => string; previousUntil: Date; now: Date },
  ): Promise<WebhookEndpoint | null> {
    return guardStore('postgres', async () => {
      const [row] = rowsOf(
        await this.dataSource.query(
          `UPDATE webhook_endpoints SET
             previous_secret_sealed = secret_sealed, previous_secret_expires_at = $4,
             secret_sealed = $3, updated_at = $5
           WHERE merchant_id = $1 AND id = $2
           RETURNING ${COLUMNS}`,
          [merchantId, id, rotation.sealSecret(id), rotation.previousUntil, rotation.now],
        ),
      );
      return row ? toEndpoint(row) : null;
    });
  }
}
