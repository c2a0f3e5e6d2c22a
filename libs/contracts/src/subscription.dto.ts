import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { Transform, Type } from 'class-transformer'
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator'
import { LIFECYCLES, type Lifecycle } from '#domain/index.js'
import { SubscriptionCustomerDto } from './customer.dto.js'
import { ScopedPageQueryDto } from './tenant.dto.js'

const EXAMPLE_ID = '01936b2e-5c4a-7d21-9f3e-2b8c4d6e8a10'

export class SubscriptionSummaryDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) id: string
  @ApiProperty({ example: 'node' }) product: string
  @ApiProperty({ example: 'acme' }) customer_id: string
  @ApiProperty({ example: 'default', description: 'the tenant it belongs to' }) tenant_id: string
  @ApiProperty({ example: 'Node ams-pe1 (router, ams)' }) description: string
  @ApiProperty({ nullable: true, type: String }) note: string | null
  @ApiProperty({ enum: LIFECYCLES, example: 'active' }) lifecycle: Lifecycle
  @ApiProperty({ example: true, description: 'false while a process changes it, or after one failed' }) insync: boolean
  @ApiProperty({ nullable: true, type: String, description: 'the process holding the lock' }) locked_by: string | null
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) start_date: string | null
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) end_date: string | null
  @ApiProperty({ example: 3, description: 'send it back with a PATCH' }) version: number
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
  @ApiProperty({ type: String, format: 'date-time' }) updated_at: string
}

export class SubscriptionProcessDto {
  @ApiProperty({ format: 'uuid', example: '01936b2e-5b10-7a3c-8e44-6f0d2a9c1b77' }) id: string
  @ApiProperty({ type: String, nullable: true, example: 'create_node', description: "null for another tenant's process: only its id shows" }) workflow: string | null
  @ApiProperty({ type: String, nullable: true, example: 'completed' }) status: string | null
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) created_at: string | null
}

export class SubscriptionRelationDto {
  @ApiProperty({ example: 'circuit.side_a.port', description: 'where the reference sits in the using subscription' }) path: string
  @ApiProperty({ format: 'uuid', example: '01936b2e-5d02-7b90-a1c5-3e7f9b2d4c61' }) subscription_id: string
  @ApiProperty({ type: String, nullable: true, example: 'port_10g', description: "null for another tenant's subscription: only its id shows" }) product: string | null
  @ApiProperty({ type: String, nullable: true, example: 'eth1 on ams-pe1' }) description: string | null
  @ApiProperty({ enum: LIFECYCLES, nullable: true, example: 'active' }) lifecycle: Lifecycle | null
}

export class SubscriptionDto extends SubscriptionSummaryDto {
  @ApiProperty({ type: SubscriptionCustomerDto, nullable: true, description: 'the customer customer_id names, from the customer source; null when the source does not know it (or does not answer)' })
  customer: SubscriptionCustomerDto | null
  @ApiProperty({ type: [SubscriptionRelationDto], description: 'subscriptions this one refers to' }) depends_on: SubscriptionRelationDto[]
  @ApiProperty({ type: [SubscriptionRelationDto], description: 'subscriptions that refer to this one' }) in_use_by: SubscriptionRelationDto[]
  @ApiProperty({
    type: Object,
    description: 'the product blocks with their values; a reference to another subscription is its id',
    example: {
      node: { device_name: 'ams-pe1', role: 'router', vendor: 'frr', platform: 'frr', site: 'ams', management_address: '192.0.2.11', loopback_ipv4: '198.51.100.1/32', loopback_ipv6: '2001:db8::1/128', igp_protocol: 'ospf', igp_area: '0.0.0.0' },
    },
  })
  domain_model: Record<string, unknown>
  @ApiProperty({ type: [SubscriptionProcessDto], description: 'its audit trail, newest first' }) processes: SubscriptionProcessDto[]
}

export class SubscriptionPatchDto {
  @ApiProperty({ example: 3, description: 'the version you read; a stale one is a 409, never a lost update' })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647) // the column is an int4
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

export class SubscriptionListQueryDto extends ScopedPageQueryDto {
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

export class SubscriptionVersionDto {
  @ApiProperty({ example: 3 }) version: number
  @ApiProperty({ enum: LIFECYCLES, example: 'active' }) lifecycle: Lifecycle
  @ApiProperty({ example: 'Circuit 10G ams-pe1 eth1 – fra-pe1 eth1, 203.0.113.0/31' }) description: string
  @ApiProperty({ type: Object, description: 'the typed model after the change' }) domain_model: Record<string, unknown>
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'the process that made the change' }) process_id: string | null
  @ApiProperty({ type: String, nullable: true, example: 'update_circuit_model', description: 'the step of that process' }) step: string | null
  @ApiProperty({ type: String, nullable: true, example: 'alice', description: "who: the process's starter, or the API caller" }) actor: string | null
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
}

export class VersionDiffQueryDto {
  @ApiProperty({ minimum: 1, maximum: 2_147_483_647, example: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  from: number

  @ApiProperty({ minimum: 1, maximum: 2_147_483_647, example: 2 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  to: number
}

export class VersionChangeDto {
  @ApiProperty({ example: 'domain_model.circuit.mode' }) path: string
  @ApiProperty({ example: 'maintenance', nullable: true }) before: unknown
  @ApiProperty({ example: 'normal', nullable: true }) after: unknown
}

export class VersionDiffDto {
  @ApiProperty({ example: 1 }) from: number
  @ApiProperty({ example: 2 }) to: number
  @ApiProperty({ type: [VersionChangeDto] }) changes: VersionChangeDto[]
}
