import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator'
import { PageQueryDto } from './list.dto.js'

/** Tenant ids are slugs; SODA's 32-hex Keystone project ids are among them. */
export const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/
/** where everything recorded before tenancy went, and where a caller in no tenant acts (LOOM_UNASSIGNED_CALLERS=default) */
export const DEFAULT_TENANT = 'default'
/** `?tenant=a,b`: tenant ids separated by commas */
export const TENANT_LIST = /^[a-z0-9][a-z0-9_-]{0,63}(,[a-z0-9][a-z0-9_-]{0,63}){0,49}$/
export const TENANT_MEMBER_KINDS = ['user', 'api_key'] as const

/** A list of tenant-owned rows: `?tenant=` narrows it to some of the caller's tenants. */
export class ScopedPageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'red,blue', description: "only these of the caller's tenants (comma-separated); default: all of them (every tenant for an admin)" })
  @IsOptional()
  @IsString()
  @Matches(TENANT_LIST, { message: 'tenant must be tenant ids separated by commas' })
  tenant?: string
}

export class TenantCreateDto {
  @ApiProperty({ example: 'red', description: `the tenant's id, a slug (${TENANT_ID.source}); SODA's project ids (32 hex digits) are slugs too` })
  @IsString()
  @Matches(TENANT_ID, { message: `id must be a slug: lower-case letters, digits, "_" and "-", 1 to 64, starting with a letter or digit` })
  id: string

  @ApiProperty({ example: 'Red team' })
  @IsString()
  // eslint-disable-next-line no-control-regex
  @Matches(/^[^\u0000-\u001f\u007f-\u009f]{1,200}$/, { message: 'name must be 1 to 200 characters without control characters' })
  name: string

  @ApiPropertyOptional({ example: 'the red network team' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string
}

export class TenantDto {
  @ApiProperty({ example: 'red' }) id: string
  @ApiProperty({ example: 'Red team' }) name: string
  @ApiProperty({ type: String, nullable: true }) description: string | null
  @ApiProperty({ example: 'key:admin' }) created_by: string
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
  @ApiProperty({ example: 3, description: 'how many members it has' }) members: number
}

export class TenantMemberCreateDto {
  @ApiProperty({ enum: TENANT_MEMBER_KINDS, description: 'user: a canonical id (key:<owner>, <issuer>#<subject>), for all of their keys and tokens; api_key: one key, by its id' })
  @IsIn(TENANT_MEMBER_KINDS)
  kind: (typeof TENANT_MEMBER_KINDS)[number]

  @ApiProperty({ example: 'key:alice', description: 'the canonical user id, or the API key id' })
  @IsString()
  @Matches(/^[\x21-\x7e]{1,300}$/, { message: 'member must be a canonical user id or an API key id (printable, no spaces, at most 300)' })
  member: string
}

export class TenantMemberDto {
  @ApiProperty({ format: 'uuid', description: 'the membership (DELETE /api/tenants/{id}/members/{member_id})' }) id: string
  @ApiProperty({ example: 'red' }) tenant_id: string
  @ApiProperty({ enum: TENANT_MEMBER_KINDS }) kind: string
  @ApiProperty({ example: 'key:alice' }) member: string
  @ApiProperty({ example: 'key:admin' }) created_by: string
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
}
