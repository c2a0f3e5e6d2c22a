import { ApiPropertyOptional } from '@nestjs/swagger'
import { Type } from 'class-transformer'
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator'

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number

  @ApiPropertyOptional({ description: 'next_cursor of the previous page (only a cursor this API returned is taken)' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor is not a cursor this API returned (use next_cursor of the previous page)' })
  cursor?: string

  @ApiPropertyOptional({ example: '-created_at', description: 'a column name, ascending; with a leading "-", descending (default -created_at)' })
  @IsOptional()
  @IsString()
  sort?: string
}

export interface Page<T> {
  items: T[]
  total: number
  next_cursor: string | null
  /** a list of tenant-owned rows: the tenants it covers */
  tenant_scope?: 'all' | string[]
}
