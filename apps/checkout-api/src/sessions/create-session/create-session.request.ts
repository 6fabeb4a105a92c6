import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  Validate,
} from 'class-validator';

/* Amounts are JSON numbers in major units; exactness and decimals are checked when they become minor units. */
const AMOUNT = { allowNaN: false, allowInfinity: false } as const;
const HTTP_URL = { require_protocol: true, protocols: ['http', 'https'], require_tld: false };
const PRINTABLE = /^[^\p{Cc}]*$/u;

@ValidatorConstraint({ name: 'flatScalarRecord' })
class FlatScalarRecord implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const entries = Object.entries(value);
    return (
      entries.length <= 50 &&
      entries.every(
        ([key, v]) =>
          key.length >= 1 &&
          key.length <= 40 &&
          (typeof v === 'boolean' ||
            (typeof v === 'number' && Number.isFinite(v)) ||
            (typeof v === 'string' && v.length <= 500)),
      )
    );
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be an object of at most 50 keys (1-40 chars) with string (≤500 chars), number or boolean values`;
  }
}

export class AmountRequest {
  @ApiProperty({
    example: 140.76,
    description: 'Major units; must equal Σ(quantity × unitPrice) + shipping + tax',
  })
  @IsNumber(AMOUNT)
  @Min(0)
  total!: number;

  @ApiPropertyOptional({ example: 9.95 })
  @IsOptional()
  @IsNumber(AMOUNT)
  @Min(0)
  shipping?: number;

  @ApiPropertyOptional({ example: 11.81 })
  @IsOptional()
  @IsNumber(AMOUNT)
  @Min(0)
  tax?: number;
}

export class OrderItemRequest {
  @ApiProperty({ example: 'Wireless Headphones', maxLength: 255 })
  @IsString()
  @Length(1, 255)
  @Matches(PRINTABLE)
  name!: string;

  @ApiPropertyOptional({ example: 'WH-100', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  sku?: string;

  @ApiProperty({ example: 1, minimum: 1, description: 'A whole number' })
  @IsInt()
  @Min(1)
  @Max(99_999_999)
  quantity!: number;

  @ApiProperty({ example: 119, description: 'Major units' })
  @IsNumber(AMOUNT)
  @Min(0)
  unitPrice!: number;
}

export class AddressRequest {
  @ApiPropertyOptional({ example: '123 Collins Street' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  line1?: string;
  @ApiPropertyOptional({ example: 'Level 5' }) @IsOptional() @IsString() @Length(1, 255) line2?: string;
  @ApiPropertyOptional({ example: 'Melbourne' }) @IsOptional() @IsString() @Length(1, 100) city?: string;
  @ApiPropertyOptional({ example: 'VIC' }) @IsOptional() @IsString() @Length(1, 255) state?: string;
  @ApiPropertyOptional({ example: '3000' }) @IsOptional() @IsString() @Length(1, 50) postalCode?: string;
  @ApiProperty({ example: 'AU', description: 'ISO 3166-1 alpha-2' }) @IsISO31661Alpha2() country!: string;
}

export class CustomerRequest {
  @ApiPropertyOptional({ example: 'Jane' }) @IsOptional() @IsString() @Length(1, 255) firstName?: string;
  @ApiPropertyOptional({ example: 'Smith' }) @IsOptional() @IsString() @Length(1, 255) lastName?: string;

  @ApiPropertyOptional({ example: 'jane.smith@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ example: '+61412345678', description: 'E.164' })
  @IsOptional()
  @IsString()
  @Matches(/^\+[1-9]\d{1,14}$/, { message: 'phone must be in E.164 format, e.g. +61412345678' })
  phone?: string;

  @ApiPropertyOptional({ type: () => AddressRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => AddressRequest)
  billingAddress?: AddressRequest;

  @ApiPropertyOptional({ type: () => AddressRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => AddressRequest)
  shippingAddress?: AddressRequest;
}

export class ShippingRequest {
  @ApiPropertyOptional({ example: 'express' }) @IsOptional() @IsString() @Length(1, 64) type?: string;
  @ApiPropertyOptional({ example: 'aus_post' }) @IsOptional() @IsString() @Length(1, 64) method?: string;
}

export class RedirectUrlsRequest {
  @ApiPropertyOptional({ example: 'https://merchant.example.com/checkout/success' })
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  success?: string;

  @ApiPropertyOptional({ example: 'https://merchant.example.com/checkout/failure' })
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  failure?: string;
}

/** POST /api/v1/sessions body, as the Sessions API documents it. */
export class CreateSessionRequest {
  @ApiProperty({ example: 'ORD-2024-001', maxLength: 255 })
  @IsString()
  @Length(1, 255)
  @Matches(PRINTABLE)
  orderReference!: string;

  @ApiProperty({ enum: ['card'] })
  @IsIn(['card'])
  paymentMethod!: string;

  @ApiProperty({
    example: 'AUD',
    pattern: '^[A-Z]{3}$',
    minLength: 3,
    maxLength: 3,
    description: 'ISO 4217 alphabetic code',
  })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 alphabetic code' })
  currency!: string;

  @ApiPropertyOptional({ example: 'en_AU' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z]{2,3}([_-][A-Z]{2})?$/, { message: 'locale must look like en_AU' })
  locale?: string;

  @ApiProperty({ type: () => AmountRequest })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AmountRequest)
  amount!: AmountRequest;

  @ApiProperty({ type: () => [OrderItemRequest] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => OrderItemRequest)
  orderItems!: OrderItemRequest[];

  @ApiPropertyOptional({ type: () => CustomerRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => CustomerRequest)
  customer?: CustomerRequest;

  @ApiPropertyOptional({ type: () => ShippingRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => ShippingRequest)
  shipping?: ShippingRequest;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { campaignId: 'summer-sale-2024', referralCode: 'REF-ABC' },
  })
  @IsOptional()
  @IsObject()
  @Validate(FlatScalarRecord)
  additionalInformation?: Record<string, string | number | boolean>;

  @ApiPropertyOptional({ type: () => RedirectUrlsRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => RedirectUrlsRequest)
  redirectUrls?: RedirectUrlsRequest;
}
