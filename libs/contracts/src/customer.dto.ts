import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator'
import { CUSTOMER_ID } from '#domain/index.js'

const ID_MESSAGE = 'id must be letters, digits, _, . and - (at most 100), starting with a letter or digit'

export class CustomerDto {
  @ApiProperty({ example: 'acme', description: 'the id subscriptions and start forms use' }) id: string
  @ApiProperty({ example: 'ACME Corporation' }) name: string
  @ApiProperty({ nullable: true, type: String, example: 'noc@acme.example', description: "where notifications addressed to the customer go" }) contact_email: string | null
  @ApiProperty({ nullable: true, type: String, example: 'ACME network operations' }) contact_name: string | null
  @ApiProperty({ nullable: true, type: String }) note: string | null
  @ApiProperty({ example: 3, description: 'subscriptions of this customer that are not terminated' }) live_subscriptions: number
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
  @ApiProperty({ type: String, format: 'date-time' }) updated_at: string
}

/** The customer a subscription detail names. */
export class SubscriptionCustomerDto {
  @ApiProperty({ example: 'acme' }) id: string
  @ApiProperty({ example: 'ACME Corporation' }) name: string
  @ApiProperty({ nullable: true, type: String, example: 'noc@acme.example' }) contact_email: string | null
}

export class CustomerCreateDto {
  @ApiProperty({ example: 'acme' })
  @Matches(CUSTOMER_ID, { message: ID_MESSAGE })
  id: string

  @ApiProperty({ example: 'ACME Corporation' })
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(200)
  name: string

  @ApiPropertyOptional({ example: 'noc@acme.example', nullable: true, type: String })
  @IsOptional()
  @IsEmail({}, { message: 'contact_email must be an e-mail address' })
  @MaxLength(320)
  contact_email?: string | null

  @ApiPropertyOptional({ example: 'ACME network operations', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  contact_name?: string | null

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string | null
}

/** Only the fields given change; null clears contact_email, contact_name or note. */
export class CustomerPatchDto {
  @ApiPropertyOptional({ example: 'ACME Corp.' })
  @ValidateIf((_o, v) => v !== undefined)
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(200)
  name?: string

  @ApiPropertyOptional({ example: 'noc@acme.example', nullable: true, type: String })
  @IsOptional()
  @IsEmail({}, { message: 'contact_email must be an e-mail address' })
  @MaxLength(320)
  contact_email?: string | null

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  contact_name?: string | null

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string | null
}
