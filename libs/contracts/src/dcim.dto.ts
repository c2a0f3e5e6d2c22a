import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { Type } from 'class-transformer'
import { IsBoolean, IsIn, IsInt, IsIP, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator'
import {
  CABLE_STATUSES,
  type CableStatus,
  DEVICE_ROLES,
  DEVICE_STATUSES,
  type DeviceRole,
  type DeviceStatus,
  INTERFACE_STATUSES,
  type InterfaceStatus,
} from '../../domain/src/index.js'

const SLUG = /^[a-z0-9][a-z0-9_.-]{0,62}$/
const SLUG_MESSAGE = 'must be lower case letters, digits, _, . and - (at most 63), starting with a letter or digit'
const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_./:-]{0,63}$/

export class SiteCreateDto {
  @ApiProperty({ example: 'ams' })
  @Matches(SLUG, { message: `name ${SLUG_MESSAGE}` })
  name: string

  @ApiPropertyOptional({ example: 'Amsterdam, Science Park' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string
}

export class SiteDto {
  @ApiProperty({ example: 'ams' }) name: string
  @ApiProperty({ example: 'Amsterdam, Science Park' }) description: string
  @ApiProperty({ type: [String], example: ['r101'] }) racks: string[]
  @ApiProperty({ example: 4 }) devices: number
}

export class RackCreateDto {
  @ApiProperty({ example: 'r101' })
  @Matches(SLUG, { message: `name ${SLUG_MESSAGE}` })
  name: string
}

export class DeviceCreateDto {
  @ApiProperty({ example: 'ams-pe3' })
  @Matches(SLUG, { message: `name ${SLUG_MESSAGE}` })
  name: string

  @ApiProperty({ enum: DEVICE_ROLES, example: 'router' })
  @IsIn(DEVICE_ROLES)
  role: DeviceRole

  @ApiProperty({ example: 'frr', description: 'frr, cisco_iosxr, juniper_junos or nokia_sros for rendered configuration' })
  @Matches(SLUG, { message: `vendor ${SLUG_MESSAGE}` })
  vendor: string

  @ApiProperty({ example: 'frr' })
  @IsString()
  @MaxLength(100)
  platform: string

  @ApiProperty({ example: 'ams' })
  @IsString()
  site: string

  @ApiPropertyOptional({ example: 'r101' })
  @IsOptional()
  @IsString()
  rack?: string

  @ApiPropertyOptional({ enum: DEVICE_STATUSES, default: 'planned' })
  @IsOptional()
  @IsIn(DEVICE_STATUSES)
  status?: DeviceStatus

  @ApiPropertyOptional({ example: '192.0.2.13' })
  @IsOptional()
  @IsIP()
  management_address?: string

  @ApiPropertyOptional({ example: '198.51.100.5/32', description: 'the IPv4 loopback (NetBox: primary_ip4)' })
  @IsOptional()
  @IsString()
  primary_ipv4?: string

  @ApiPropertyOptional({ example: '2001:db8::5/128', description: 'the IPv6 loopback (NetBox: primary_ip6)' })
  @IsOptional()
  @IsString()
  primary_ipv6?: string
}

export class DeviceListQueryDto {
  @ApiPropertyOptional({ enum: DEVICE_STATUSES })
  @IsOptional()
  @IsIn(DEVICE_STATUSES)
  status?: DeviceStatus

  @ApiPropertyOptional({ example: 'ams' })
  @IsOptional()
  @IsString()
  site?: string

  @ApiPropertyOptional({ enum: DEVICE_ROLES })
  @IsOptional()
  @IsIn(DEVICE_ROLES)
  role?: DeviceRole
}

export class DevicePatchDto {
  @ApiProperty({ enum: DEVICE_STATUSES, example: 'active' })
  @IsIn(DEVICE_STATUSES)
  status: DeviceStatus
}

export class DeviceDto {
  @ApiProperty({ example: 'ams-pe1' }) name: string
  @ApiProperty({ enum: DEVICE_ROLES, example: 'router' }) role: DeviceRole
  @ApiProperty({ example: 'frr' }) vendor: string
  @ApiProperty({ example: 'frr' }) platform: string
  @ApiProperty({ example: 'ams' }) site: string
  @ApiProperty({ nullable: true, type: String, example: null }) rack: string | null
  @ApiProperty({ enum: DEVICE_STATUSES, example: 'planned' }) status: DeviceStatus
  @ApiProperty({ nullable: true, type: String, example: '192.0.2.11' }) management_address: string | null
  @ApiProperty({ nullable: true, type: String, example: '198.51.100.1/32' }) primary_ipv4: string | null
  @ApiProperty({ nullable: true, type: String, example: '2001:db8::1/128' }) primary_ipv6: string | null
}

export class InterfaceRefDto {
  @ApiProperty({ example: 'ams-pe1' })
  @IsString()
  device: string

  @ApiProperty({ example: 'eth1' })
  @IsString()
  interface: string
}

export class InterfaceCreateDto {
  @ApiProperty({ example: 'eth1' })
  @Matches(IFNAME, { message: 'name must be letters, digits and _ . / : - (at most 64)' })
  name: string

  @ApiProperty({ example: 10000, description: 'Mbit/s' })
  @IsInt()
  @Min(1)
  @Max(1_600_000)
  speed_mbps: number

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean

  @ApiPropertyOptional({ example: '' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string
}

export class InterfacePatchDto {
  @ApiPropertyOptional({ example: 'to fra-pe1 eth1' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean

  @ApiPropertyOptional({ enum: INTERFACE_STATUSES })
  @IsOptional()
  @IsIn(INTERFACE_STATUSES)
  status?: InterfaceStatus
}

export class InterfaceCableDto {
  @ApiProperty({ format: 'uuid' }) id: string
  @ApiProperty({ enum: CABLE_STATUSES }) status: CableStatus
  @ApiProperty({ type: InterfaceRefDto }) peer: InterfaceRefDto
}

export class InterfaceDto {
  @ApiProperty({ example: 'ams-pe1' }) device: string
  @ApiProperty({ example: 'eth1' }) interface: string
  @ApiProperty({ example: 10000 }) speed_mbps: number
  @ApiProperty({ example: true }) enabled: boolean
  @ApiProperty({ example: '' }) description: string
  @ApiProperty({ enum: INTERFACE_STATUSES, example: 'planned' }) status: InterfaceStatus
  @ApiProperty({ type: InterfaceCableDto, nullable: true }) cable: InterfaceCableDto | null
}

export class CableCreateDto {
  @ApiProperty({ type: InterfaceRefDto })
  @ValidateNested()
  @Type(() => InterfaceRefDto)
  a: InterfaceRefDto

  @ApiProperty({ type: InterfaceRefDto })
  @ValidateNested()
  @Type(() => InterfaceRefDto)
  b: InterfaceRefDto

  @ApiPropertyOptional({ enum: CABLE_STATUSES, default: 'planned' })
  @IsOptional()
  @IsIn(CABLE_STATUSES)
  status?: CableStatus

  @ApiPropertyOptional({ example: 'ams-pe1 eth1 — fra-pe1 eth1' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string
}

export class CablePatchDto {
  @ApiProperty({ enum: CABLE_STATUSES, example: 'connected' })
  @IsIn(CABLE_STATUSES)
  status: CableStatus
}

export class CableListQueryDto {
  @ApiPropertyOptional({ example: 'ams-pe1', description: 'cables with an end on this device' })
  @IsOptional()
  @IsString()
  device?: string

  @ApiPropertyOptional({ enum: CABLE_STATUSES })
  @IsOptional()
  @IsIn(CABLE_STATUSES)
  status?: CableStatus
}

export class CableDto {
  @ApiProperty({ format: 'uuid' }) id: string
  @ApiProperty({ enum: CABLE_STATUSES, example: 'planned' }) status: CableStatus
  @ApiProperty({ example: '' }) description: string
  @ApiProperty({ type: InterfaceRefDto }) a: InterfaceRefDto
  @ApiProperty({ type: InterfaceRefDto }) b: InterfaceRefDto
}
