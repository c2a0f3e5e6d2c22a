import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { Transform } from 'class-transformer'
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator'
import { LIFECYCLES, type Lifecycle } from '../../domain/src/index.js'
import { PageQueryDto } from './list.dto.js'

export class SubscriptionSummaryDto {
  @ApiProperty() id: string
  @ApiProperty({ example: 'node' }) product: string
  @ApiProperty({ example: 'acme' }) customer_id: string
  @ApiProperty({ example: 'Node ams-pe1 (router, ams)' }) description: string
  @ApiProperty({ nullable: true, type: String }) note: string | null
  @ApiProperty({ enum: LIFECYCLES }) lifecycle: Lifecycle
  @ApiProperty() insync: boolean
  @ApiProperty({ nullable: true, type: String, description: 'the process holding the lock' }) locked_by: string | null
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) start_date: string | null
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) end_date: string | null
  @ApiProperty() version: number
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
  @ApiProperty({ type: String, format: 'date-time' }) updated_at: string
}

export class SubscriptionProcessDto {
  @ApiProperty() id: string
  @ApiProperty() workflow: string
  @ApiProperty() status: string
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
}

export class SubscriptionRelationDto {
  @ApiProperty({ example: 'circuit.side_a.port', description: 'where the reference sits in the using subscription' }) path: string
  @ApiProperty() subscription_id: string
  @ApiProperty({ example: 'port_10g' }) product: string
  @ApiProperty({ example: 'eth1 on ams-pe1' }) description: string
  @ApiProperty({ enum: LIFECYCLES }) lifecycle: Lifecycle
}

export class SubscriptionDto extends SubscriptionSummaryDto {
  @ApiProperty({ type: [SubscriptionRelationDto], description: 'subscriptions this one refers to' }) depends_on: SubscriptionRelationDto[]
  @ApiProperty({ type: [SubscriptionRelationDto], description: 'subscriptions that refer to this one' }) in_use_by: SubscriptionRelationDto[]
  @ApiProperty({ type: Object, description: 'the product blocks with their values' }) domain_model: Record<string, unknown>
  @ApiProperty({ type: [SubscriptionProcessDto], description: 'its audit trail, newest first' }) processes: SubscriptionProcessDto[]
}

export class SubscriptionPatchDto {
  @ApiProperty({ example: 3, description: 'the version you read; a stale one is a 409, never a lost update' })
  @IsInt()
  @Min(1)
  version: number

  @ApiPropertyOptional({ example: 'Node ams-pe1 (core router, Amsterdam)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  description?: string

  @ApiPropertyOptional({ nullable: true, type: String, example: 'replaced optics 2026-11-20' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  note?: string | null
}

export class SubscriptionListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'ams-pe1', description: 'text in the description, customer, product or any block value' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string

  @ApiPropertyOptional({ example: 'PORT', description: 'the product tag' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tag?: string

  @ApiPropertyOptional({ example: 'node' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  product?: string

  @ApiPropertyOptional({ enum: LIFECYCLES })
  @IsOptional()
  @IsIn(LIFECYCLES)
  lifecycle?: Lifecycle

  @ApiPropertyOptional({ example: 'acme' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  customer_id?: string

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  insync?: boolean
}
