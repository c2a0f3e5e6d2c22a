import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { Type } from 'class-transformer'
import { IsBoolean, IsDefined, IsIn, IsInt, isIP, IsIP, IsOptional, IsString, Matches, Max, MaxLength, Min, type ValidationOptions, ValidateBy, ValidateIf, ValidateNested } from 'class-validator'
import {
  CABLE_STATUSES,
  type CableStatus,
  DEVICE_ROLES,
  DEVICE_STATUSES,
  type DeviceRole,
  type DeviceStatus,
  INTERFACE_STATUSES,
  type InterfaceStatus,
} from '#domain/index.js'

const SLUG = /^[a-z0-9][a-z0-9_.-]{0,62}$/
const SLUG_MESSAGE = 'must be lower case letters, digits, _, . and - (at most 63), starting with a letter or digit'
const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_./:-]{0,63}$/

/** An IPv4 or IPv6 address of one family, with or without a prefix length (NetBox's primary_ip4 / primary_ip6). */
function IsHostAddress(family: 4 | 6, options?: ValidationOptions): PropertyDecorator {
  const bits = family === 4 ? 32 : 128
  return ValidateBy(
    {
      name: 'isHostAddress',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false
          const [address, length, ...rest] = value.split('/')
          return rest.length === 0 && isIP(address, family) && (length === undefined || (/^\d{1,3}$/.test(length) && Number(length) <= bits))
        },
        defaultMessage: (args) => `${args?.property} must be an IPv${family} address, optionally with a prefix length (like ${family === 4 ? '198.51.100.5/32' : '2001:db8::5/128'})`,
      },
    },
    options,
  )
}

/** Present means set: null is refused too (for a field that cannot be cleared). */
const IfPresent = () => ValidateIf((_object, value) => value !== undefined)

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
  @IsHostAddress(4)
  primary_ipv4?: string

  @ApiPropertyOptional({ example: '2001:db8::5/128', description: 'the IPv6 loopback (NetBox: primary_ip6)' })
  @IsOptional()
  @IsHostAddress(6)
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

/** What PATCH /api/dcim/devices/{name} may change: only the fields given; null clears an address or the rack. */
export class DevicePatchDto {
  @ApiPropertyOptional({ example: 'ams-pe3', description: 'a new name: refused (409) while a process or a live subscription holds the device' })
  @IfPresent()
  @Matches(SLUG, { message: `name ${SLUG_MESSAGE}` })
  name?: string

  @ApiPropertyOptional({ enum: DEVICE_ROLES, example: 'router' })
  @IfPresent()
  @IsIn(DEVICE_ROLES)
  role?: DeviceRole

  @ApiPropertyOptional({ example: 'frr', description: 'frr, cisco_iosxr, juniper_junos or nokia_sros for rendered configuration' })
  @IfPresent()
  @Matches(SLUG, { message: `vendor ${SLUG_MESSAGE}` })
  vendor?: string

  @ApiPropertyOptional({ example: 'frr' })
  @IfPresent()
  @IsString()
  @MaxLength(100)
  platform?: string

  @ApiPropertyOptional({ example: 'ams', description: 'an existing site; moving the device leaves its rack unless `rack` names one at the new site' })
  @IfPresent()
  @IsString()
  site?: string

  @ApiPropertyOptional({ nullable: true, type: String, example: 'r101', description: 'a rack at the (new) site, or null for none' })
  @IsOptional()
  @IsString()
  rack?: string | null

  @ApiPropertyOptional({ enum: DEVICE_STATUSES, example: 'active', description: 'planned → staged → active → decommissioning …' })
  @IfPresent()
  @IsIn(DEVICE_STATUSES)
  status?: DeviceStatus

  @ApiPropertyOptional({ nullable: true, type: String, example: '192.0.2.13', description: 'the address Loom reaches the device on; null clears it' })
  @IsOptional()
  @IsIP()
  management_address?: string | null

  @ApiPropertyOptional({ nullable: true, type: String, example: '198.51.100.5/32', description: 'the IPv4 loopback (NetBox: primary_ip4); null clears it' })
  @IsOptional()
  @IsHostAddress(4)
  primary_ipv4?: string | null

  @ApiPropertyOptional({ nullable: true, type: String, example: '2001:db8::5/128', description: 'the IPv6 loopback (NetBox: primary_ip6); null clears it' })
  @IsOptional()
  @IsHostAddress(6)
  primary_ipv6?: string | null
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
  @ApiProperty({ nullable: true, type: String, example: '5.2.3', description: 'the OS version the device runs, as the last upgrade recorded it (NetBox: custom field os_version)' })
  os_version: string | null
}

/** The demo fleets PUT /api/dcim/fleets/{fleet} loads. */
export const DEMO_FLEETS = ['acme'] as const
export type DemoFleet = (typeof DEMO_FLEETS)[number]

export class FleetSeedDto {
  @ApiProperty({ enum: DEMO_FLEETS, example: 'acme' }) fleet: DemoFleet
  @ApiProperty({ example: 848, description: 'devices this call added (0 when the fleet was loaded before)' }) added: number
  @ApiProperty({ example: 848, description: "the fleet's devices in DCIM after the call" }) total: number
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
  @IfPresent()
  @IsString()
  @MaxLength(200)
  description?: string

  @ApiPropertyOptional()
  @IfPresent()
  @IsBoolean()
  enabled?: boolean

  @ApiPropertyOptional({ enum: INTERFACE_STATUSES })
  @IfPresent()
  @IsIn(INTERFACE_STATUSES)
  status?: InterfaceStatus

  @ApiPropertyOptional({ example: 100000, description: 'Mbit/s: refused (409) while a process or a live subscription holds the interface' })
  @IfPresent()
  @IsInt()
  @Min(1)
  @Max(1_600_000)
  speed_mbps?: number
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
  @IsDefined({ message: 'a is required: one end of the cable, {device, interface}' })
  @ValidateNested()
  @Type(() => InterfaceRefDto)
  a: InterfaceRefDto

  @ApiProperty({ type: InterfaceRefDto })
  @IsDefined({ message: 'b is required: one end of the cable, {device, interface}' })
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
