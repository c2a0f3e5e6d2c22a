import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator'

export class ScheduleCreateDto {
  @ApiProperty({ example: 'task_validate_subscriptions', description: 'a workflow POST /api/processes/{workflow} starts' })
  @IsString()
  @MaxLength(100)
  workflow: string

  @ApiPropertyOptional({ type: Object, example: {}, description: 'the answers to its start form, checked now and again at every run' })
  @IsOptional()
  @IsObject()
  input?: Record<string, unknown>

  @ApiPropertyOptional({ example: '1 day', description: 'run every … (e.g. 30 minutes, 6h, 1 day); give this or cron' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  every?: string

  @ApiPropertyOptional({ example: '0 3 * * *', description: 'a cron expression (UTC); give this or every' })
  @IsOptional()
  @IsString()
  @Matches(/^\S+( \S+){4,6}$/, { message: 'cron must be a cron expression of 5 to 7 fields, e.g. "0 3 * * *"' })
  cron?: string

  @ApiPropertyOptional({ example: 'Nightly validation' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string
}

export class ScheduleDto {
  @ApiProperty({ example: 'loom-019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b' }) id: string
  @ApiProperty({ example: 'task_validate_subscriptions' }) workflow: string
  @ApiProperty({ type: Object }) input: Record<string, unknown>
  @ApiProperty({ nullable: true, type: String, example: '1 day' }) every: string | null
  @ApiProperty({ nullable: true, type: String, example: '0 3 * * *' }) cron: string | null
  @ApiProperty({ nullable: true, type: String }) description: string | null
  @ApiProperty({ example: 'alice' }) created_by: string
  @ApiProperty({ example: 'default', description: 'the tenant its runs start processes in' }) tenant_id: string
  @ApiProperty({ type: [String], description: 'the next run times (ISO)' }) next_runs: string[]
  @ApiProperty({ type: [String], description: 'when it fired lately (ISO), newest last' }) recent_runs: string[]
}
