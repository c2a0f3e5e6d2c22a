import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator'
import { IPAM_ROLES, type IpamRole } from '#domain/index.js'


const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/

export class PoolCreateDto {
  @ApiProperty({ example: 'core-links-v4', description: 'lower case letters, digits, - and _' })
  @IsString()
  @Matches(NAME, { message: 'name must be lower case letters, digits, - and _ (at most 63), starting with a letter or digit' })
  name: string

  @ApiProperty({ example: '10.0.0.0/24', description: 'an IPv4 or IPv6 network; it may not overlap another pool' })
  @IsString()
  @MaxLength(64)
  prefix: string

  @ApiProperty({ enum: IPAM_ROLES, example: 'link' })
  @IsIn(IPAM_ROLES)
  role: IpamRole

  @ApiPropertyOptional({ example: 'point-to-point links between core routers' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string
}

export class PoolListQueryDto {
  @ApiPropertyOptional({ enum: IPAM_ROLES })
  @IsOptional()
  @IsIn(IPAM_ROLES)
  role?: IpamRole
}

export class UtilisationDto {
  @ApiProperty({ example: 2 }) allocations: number
  @ApiProperty({ example: '4', description: 'addresses, as a decimal string (an IPv6 pool has more than a JSON number holds)' }) addresses_used: string
  @ApiProperty({ example: '256' }) addresses_total: string
  @ApiProperty({ example: 1.56 }) percent: number
}

export class PoolDto {
  @ApiProperty({ format: 'uuid' }) id: string
  @ApiProperty({ example: 'core-links-v4' }) name: string
  @ApiProperty({ example: '10.0.0.0/24' }) prefix: string
  @ApiProperty({ enum: [4, 6], example: 4 }) family: 4 | 6
  @ApiProperty({ enum: IPAM_ROLES, example: 'link' }) role: IpamRole
  @ApiProperty({ example: 'point-to-point links between core routers' }) description: string
  @ApiProperty({ type: UtilisationDto }) utilisation: UtilisationDto
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
}

export class AllocationCreateDto {
  @ApiProperty({ format: 'uuid', example: '01936b2e-5c4a-7d21-9f3e-2b8c4d6e8a10', description: 'the subscription the allocation belongs to' })
  @IsUUID()
  subscription_id: string

  @ApiProperty({ example: 'side_a_ipv4', description: 'what the subscription uses it for; one allocation per subscription and purpose' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_.-]{0,62}$/, { message: 'purpose must be lower case letters, digits, _, . and - (at most 63)' })
  purpose: string

  @ApiPropertyOptional({ example: 31, description: 'the prefix length wanted; absent: a single address (/32 or /128)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(128)
  length?: number

  @ApiPropertyOptional({ example: 'ams-pe1 eth1 — fra-pe1 eth1' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string
}

export class AllocationDto {
  @ApiProperty({ format: 'uuid' }) id: string
  @ApiProperty({ example: 'core-links-v4' }) pool: string
  @ApiProperty({ example: '10.0.0.2/31' }) prefix: string
  @ApiProperty({ format: 'uuid' }) subscription_id: string
  @ApiProperty({ example: 'side_a_ipv4' }) purpose: string
  @ApiProperty({ example: '' }) description: string
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
}

export class AllocationListQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: "a subscription's allocations, in every pool" })
  @IsOptional()
  @IsUUID()
  subscription_id?: string

  @ApiPropertyOptional({ example: 'core-links-v4' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  pool?: string
}
