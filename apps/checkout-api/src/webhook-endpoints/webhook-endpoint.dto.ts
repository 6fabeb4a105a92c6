import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { MAX_WEBHOOK_URL_LENGTH } from '@app/webhooks';
import { EVENT_TYPES, EventType } from '../events/domain/event-outbox';

const DESCRIPTION_MAX = 500;

/** Body of POST /api/v1/webhook-endpoints. */
export class CreateWebhookEndpointRequest {
  @ApiProperty({
    example: 'https://shop.example.com/webhooks/checkout',
    maxLength: MAX_WEBHOOK_URL_LENGTH,
    description: 'https in production; no credentials; must resolve to public addresses only',
  })
  @IsString()
  url!: string;

  @ApiPropertyOptional({
    enum: EVENT_TYPES,
    isArray: true,
    uniqueItems: true,
    minItems: 1,
    description: 'Event types sent to this endpoint; every type when absent',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  events?: EventType[];

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX, example: 'Order service, production' })
  @IsOptional()
  @IsString()
  @MaxLength(DESCRIPTION_MAX)
  description?: string;
}

/** Body of PATCH /api/v1/webhook-endpoints/:endpointId: each field present is changed. */
export class UpdateWebhookEndpointRequest {
  @ApiPropertyOptional({ maxLength: MAX_WEBHOOK_URL_LENGTH })
  @ValidateIf((body: UpdateWebhookEndpointRequest) => body.url !== undefined)
  @IsString()
  url?: string;

  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true, uniqueItems: true, minItems: 1 })
  @ValidateIf((body: UpdateWebhookEndpointRequest) => body.events !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  events?: EventType[];

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX, nullable: true, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(DESCRIPTION_MAX)
  description?: string | null;

  @ApiPropertyOptional({ description: 'true re-enables an endpoint disabled by failures or a 410' })
  @ValidateIf((body: UpdateWebhookEndpointRequest) => body.enabled !== undefined)
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookEndpointDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'https://shop.example.com/webhooks/checkout' }) url!: string;
  @ApiProperty({ enum: EVENT_TYPES, isArray: true }) events!: string[];
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({
    enum: ['merchant', 'failing', 'gone', null],
    nullable: true,
    description:
      'Why a disabled endpoint is disabled: by the merchant, every delivery failing for WEBHOOK_DISABLE_AFTER_HOURS, or a 410 answer',
  })
  disabledReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class WebhookEndpointWithSecretDto extends WebhookEndpointDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'Standard Webhooks signing secret; shown only in this answer',
  })
  secret!: string;
}

export class WebhookEndpointListDto {
  @ApiProperty({ type: [WebhookEndpointDto] }) data!: WebhookEndpointDto[];
}
