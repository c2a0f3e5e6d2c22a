import { ApiProperty } from '@nestjs/swagger'

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'], example: 'ok' })
  status: 'ok' | 'degraded'

  @ApiProperty({ example: 'ok', description: '"ok", or why Temporal cannot be reached' })
  temporal: string

  @ApiProperty({ example: 'ok', description: '"ok", or why the database cannot be reached' })
  database: string
}
