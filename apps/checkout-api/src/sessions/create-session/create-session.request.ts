import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { CountryCodes } from 'validator/lib/isISO31661Alpha2';
import { SUPPORTED_CURRENCIES } from '@app/money';
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

/* The same rules for the document: \p{Cc} is U+0000-U+001F and U+007F-U+009F. */
const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001F\\u007F-\\u009F]*$';
const text = (maxLength: number) => ({ minLength: 1, maxLength });
const AMOUNT_DOC = { minimum: 0, description: 'Major units, with at most the decimals of the currency' };
const HTTP_URL_DOC = { format: 'uri', pattern: '^https?://', maxLength: 2048 };

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
    minimum: 0,
    description:
      'Major units, with at most the decimals of the currency; must equal Σ(quantity × unitPrice) + shipping + tax',
  })
  @IsNumber(AMOUNT)
  @Min(0)
  total!: number;

  @ApiPropertyOptional({ example: 9.95, ...AMOUNT_DOC })
  @IsOptional()
  @IsNumber(AMOUNT)
  @Min(0)
  shipping?: number;

  @ApiPropertyOptional({ example: 11.81, ...AMOUNT_DOC })
  @IsOptional()
  @IsNumber(AMOUNT)
  @Min(0)
  tax?: number;
}

export class OrderItemRequest {
  @ApiProperty({ example: 'Wireless Headphones', ...text(255), pattern: NO_CONTROL_CHARACTERS })
  @IsString()
  @Length(1, 255)
  @Matches(PRINTABLE)
  name!: string;

  @ApiPropertyOptional({ example: 'WH-100', ...text(200) })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  sku?: string;

  @ApiProperty({ type: 'integer', example: 1, minimum: 1, maximum: 99_999_999 })
  @IsInt()
  @Min(1)
  @Max(99_999_999)
  quantity!: number;

  @ApiProperty({ example: 119, ...AMOUNT_DOC })
  @IsNumber(AMOUNT)
  @Min(0)
  unitPrice!: number;
}

export class AddressRequest {
  @ApiPropertyOptional({ example: '123 Collins Street', ...text(255) })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  line1?: string;

  @ApiPropertyOptional({ example: 'Level 5', ...text(255) })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  line2?: string;

  @ApiPropertyOptional({ example: 'Melbourne', ...text(100) })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  city?: string;

  @ApiPropertyOptional({ example: 'VIC', ...text(255) })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  state?: string;

  @ApiPropertyOptional({ example: '3000', ...text(50) })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  postalCode?: string;

  @ApiProperty({
    example: 'AU',
    enum: [...CountryCodes],
    description: 'ISO 3166-1 alpha-2 (lower case is accepted too)',
  })
  @IsISO31661Alpha2()
  country!: string;
}

export class CustomerRequest {
  @ApiPropertyOptional({ example: 'Jane', ...text(255) })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  firstName?: string;

  @ApiPropertyOptional({ example: 'Smith', ...text(255) })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  lastName?: string;

  @ApiPropertyOptional({ example: 'jane.smith@example.com', format: 'email', maxLength: 320 })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ example: '+61412345678', pattern: '^\\+[1-9][0-9]{1,14}$', description: 'E.164' })
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
  @ApiPropertyOptional({ example: 'express', ...text(64) })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  type?: string;

  @ApiPropertyOptional({ example: 'aus_post', ...text(64) })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  method?: string;
}

export class RedirectUrlsRequest {
  @ApiPropertyOptional({ example: 'https://merchant.example.com/checkout/success', ...HTTP_URL_DOC })
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  success?: string;

  @ApiPropertyOptional({ example: 'https://merchant.example.com/checkout/failure', ...HTTP_URL_DOC })
  @IsOptional()
  @IsUrl(HTTP_URL)
  @MaxLength(2048)
  failure?: string;
}

/** POST /api/v1/sessions body, as the Sessions API documents it. */
export class CreateSessionRequest {
  @ApiProperty({
    example: 'ORD-2024-001',
    ...text(255),
    pattern: NO_CONTROL_CHARACTERS,
    description: 'Your order id: one live (PENDING) session per order',
  })
  @IsString()
  @Length(1, 255)
  @Matches(PRINTABLE)
  orderReference!: string;

  @ApiProperty({ enum: ['card'] })
  @IsIn(['card'])
  paymentMethod!: string;

  @ApiProperty({
    example: 'AUD',
    enum: SUPPORTED_CURRENCIES,
    description: 'ISO 4217 alphabetic code, of a currency with minor units',
  })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 alphabetic code' })
  currency!: string;

  @ApiPropertyOptional({ example: 'en_AU', pattern: '^[a-z]{2,3}([_-][A-Z]{2})?$' })
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

  @ApiProperty({ type: () => [OrderItemRequest], minItems: 1, maxItems: 500 })
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
    maxProperties: 50,
    additionalProperties: {
      oneOf: [{ type: 'string', maxLength: 500 }, { type: 'number' }, { type: 'boolean' }],
    },
    description:
      'Your own flat key-value data (keys of 1 to 40 characters), passed to the provider as strings',
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
