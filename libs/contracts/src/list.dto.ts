import { ApiPropertyOptional } from '@nestjs/swagger'
import { Type } from 'class-transformer'
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator'

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
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
}
