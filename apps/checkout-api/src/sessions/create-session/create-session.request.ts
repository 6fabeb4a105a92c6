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
  @IsNumber(AMOUNT) @Min(0) total!: number;
  @IsOptional() @IsNumber(AMOUNT) @Min(0) shipping?: number;
  @IsOptional() @IsNumber(AMOUNT) @Min(0) tax?: number;
}

export class OrderItemRequest {
  @IsString() @Length(1, 255) @Matches(PRINTABLE) name!: string;
  @IsOptional() @IsString() @Length(1, 200) sku?: string;
  @IsInt() @Min(1) @Max(99_999_999) quantity!: number;
  @IsNumber(AMOUNT) @Min(0) unitPrice!: number;
}

export class AddressRequest {
  @IsOptional() @IsString() @Length(1, 255) line1?: string;
  @IsOptional() @IsString() @Length(1, 255) line2?: string;
  @IsOptional() @IsString() @Length(1, 100) city?: string;
  @IsOptional() @IsString() @Length(1, 255) state?: string;
  @IsOptional() @IsString() @Length(1, 50) postalCode?: string;
  @IsISO31661Alpha2() country!: string;
}

export class CustomerRequest {
  @IsOptional() @IsString() @Length(1, 255) firstName?: string;
  @IsOptional() @IsString() @Length(1, 255) lastName?: string;
  @IsOptional() @IsEmail() @MaxLength(320) email?: string;
  @IsOptional()
  @IsString()
  @Matches(/^\+[1-9]\d{1,14}$/, { message: 'phone must be in E.164 format, e.g. +61412345678' })
  phone?: string;
  @IsOptional() @ValidateNested() @Type(() => AddressRequest) billingAddress?: AddressRequest;
  @IsOptional() @ValidateNested() @Type(() => AddressRequest) shippingAddress?: AddressRequest;
}

export class ShippingRequest {
  @IsOptional() @IsString() @Length(1, 64) type?: string;
  @IsOptional() @IsString() @Length(1, 64) method?: string;
}

export class RedirectUrlsRequest {
  @IsOptional() @IsUrl(HTTP_URL) @MaxLength(2048) success?: string;
  @IsOptional() @IsUrl(HTTP_URL) @MaxLength(2048) failure?: string;
}

/** POST /api/v1/sessions body, as the Sessions API documents it. */
export class CreateSessionRequest {
  @IsString() @Length(1, 255) @Matches(PRINTABLE) orderReference!: string;
  @IsIn(['card']) paymentMethod!: string;
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 alphabetic code' })
  currency!: string;
  @IsOptional()
  @IsString()
  @Matches(/^[a-z]{2,3}([_-][A-Z]{2})?$/, { message: 'locale must look like en_AU' })
  locale?: string;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => AmountRequest) amount!: AmountRequest;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => OrderItemRequest)
  orderItems!: OrderItemRequest[];
  @IsOptional() @ValidateNested() @Type(() => CustomerRequest) customer?: CustomerRequest;
  @IsOptional() @ValidateNested() @Type(() => ShippingRequest) shipping?: ShippingRequest;
  @IsOptional() @IsObject() @Validate(FlatScalarRecord) additionalInformation?: Record<
    string,
    string | number | boolean
  >;
  @IsOptional() @ValidateNested() @Type(() => RedirectUrlsRequest) redirectUrls?: RedirectUrlsRequest;
}
