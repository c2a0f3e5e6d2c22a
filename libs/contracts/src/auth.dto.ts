import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { ArrayMaxSize, IsArray, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator'
import { PageQueryDto } from './list.dto.js'
import { TENANT_ID } from './tenant.dto.js'

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/

export class ApiKeyCreateDto {
  @ApiProperty({ example: 'nightly validation job', description: 'what the key is for, shown in lists' })
  @IsString()
  // Control characters (Unicode Cc) spelled out, as JSON Schema tools outside JavaScript read the pattern too.
  // eslint-disable-next-line no-control-regex
  @Matches(/^[^\u0000-\u001f\u007f-\u009f]{1,200}$/, { message: 'name must be 1 to 200 characters without control characters' })
  name: string

  @ApiPropertyOptional({ example: 'ci-bot', description: 'whom the key acts as (admins only; default: the caller). Recorded as key:<owner>.' })
  @IsOptional()
  @IsString()
  @Matches(NAME, { message: 'owner must be 1 to 100 letters, digits, ".", "_", "@" or "-", starting with a letter or digit' })
  owner?: string

  @ApiPropertyOptional({ type: [String], example: ['operator'], description: 'viewer, operator, admin, or a team role (e.g. change-board); a caller may give only roles they hold unless admin. Default: the caller\'s roles.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @Matches(NAME, { each: true, message: 'each role must be 1 to 100 letters, digits, ".", "_", "@" or "-"' })
  roles?: string[]

  @ApiPropertyOptional({ type: [String], example: ['red'], description: "narrows the key to these of its owner's tenants; default: all of them (a caller may name only tenants they are in, unless admin)" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TENANT_ID, { each: true, message: 'each tenant must be a tenant id (a slug)' })
  tenants?: string[]

  @ApiPropertyOptional({ example: '2027-06-30T00:00:00Z', description: 'when the key stops working; default: never' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'expires_at must be an ISO 8601 date-time, e.g. 2027-06-30T00:00:00Z' })
  expires_at?: string
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string
  @ApiProperty({ example: 'nightly validation job' }) name: string
  @ApiProperty({ example: 'key:ci-bot', description: 'who acts with it' }) owner: string
  @ApiProperty({ type: [String], example: ['operator'] }) roles: string[]
  @ApiProperty({ type: [String], example: ['red'], description: "the tenants the key is narrowed to; empty: all of its owner's" }) tenants: string[]
  @ApiProperty({ example: 'loom_Xk3v9a', description: 'the first characters of the key, to tell keys apart' }) prefix: string
  @ApiProperty({ example: 'key:admin' }) created_by: string
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expires_at: string | null
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_used_at: string | null
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revoked_at: string | null
}

export class ApiKeyCreatedDto extends ApiKeyDto {
  @ApiProperty({ example: 'loom_Xk3v9a…', description: 'the key itself: shown this once, kept nowhere (only its hash is stored)' }) key: string
}

export class WhoAmIDto {
  @ApiProperty({ example: 'key:alice', description: 'the canonical id recorded for what you do' }) user: string
  @ApiProperty({ type: [String], example: ['operator'] }) roles: string[]
  @ApiProperty({ type: [String], example: ['read', 'processes.start'] }) permissions: string[]
  @ApiProperty({ enum: ['api_key', 'oidc', 'auth_off'] }) via: string
  @ApiProperty({ type: [String], example: ['red'], description: 'the tenants you see and act in' }) tenants: string[]
  @ApiProperty({ description: 'you see and act in every tenant (permission tenants.all)' }) all_tenants: boolean
}

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'key:alice' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  actor?: string

  @ApiPropertyOptional({ example: 'PUT /api/processes/{id}/abort', description: 'the operation, exactly' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  action?: string

  @ApiPropertyOptional({ example: '019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b', description: 'what it acted on' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  target?: string

  @ApiPropertyOptional({ example: '2026-11-30T00:00:00Z', description: 'at or after' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string
}

export class AuditEventDto {
  @ApiProperty({ example: '42' }) id: string
  @ApiProperty({ type: String, format: 'date-time' }) at: string
  @ApiProperty({ example: 'key:alice' }) actor: string
  @ApiProperty({ type: String, nullable: true, description: 'whom a schedule or task acted for' }) acting_for: string | null
  @ApiProperty({ type: [String] }) roles: string[]
  @ApiProperty({ example: 'PUT /api/processes/{id}/abort' }) action: string
  @ApiProperty({ type: String, nullable: true, example: '019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b' }) target: string | null
  @ApiProperty({ type: String, nullable: true }) request_id: string | null
  @ApiProperty({ example: 200, description: 'the HTTP status answered' }) outcome: number
  @ApiProperty({ type: Object, nullable: true, description: 'what was asked (secrets removed), or why it was refused' }) detail: Record<string, unknown> | null
}
