import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator'

export class EngineSettingsDto {
  @ApiProperty({ description: 'false: new processes are refused (503) and running ones wait at their next step boundary' }) running: boolean
  @ApiProperty({ nullable: true, type: String, example: 'database maintenance until 14:00 UTC' }) reason: string | null
  @ApiProperty({ nullable: true, type: String, example: 'alice' }) updated_by: string | null
  @ApiProperty({ type: String, format: 'date-time' }) updated_at: string
  @ApiProperty({ description: 'processes told of the change (those not ended)' }) processes_notified: number
}

export class EngineSettingsUpdateDto {
  @ApiProperty({ example: false })
  @IsBoolean()
  running: boolean

  @ApiPropertyOptional({ example: 'database maintenance until 14:00 UTC', description: 'shown with the 503 new processes get' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string
}
