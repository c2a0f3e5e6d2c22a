import { ApiProperty } from '@nestjs/swagger'
import { IsInt, IsOptional, Max, Min } from 'class-validator'

export class SystemPingRequestDto {
  @ApiProperty({ required: false, minimum: 1, maximum: 60, default: 10, description: 'seconds to wait for a worker to answer' })
  @IsOptional()
  @IsInt() // a body's number as sent: no conversion (true would become 1)
  @Min(1)
  @Max(60)
  timeout_s?: number
}

export class SystemPingDto {
  @ApiProperty({ example: 'system_ping-019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b' })
  workflow_id: string

  @ApiProperty({ example: 'ok' })
  database: 'ok'

  @ApiProperty({ example: '15.18' })
  server_version: string

  @ApiProperty({ example: 1.4, description: 'database round trip seen by the worker' })
  latency_ms: number

  @ApiProperty({ example: 41233, description: 'process id of the worker that ran the activity' })
  worker_pid: number

  @ApiProperty({ example: 38, description: 'gateway → Temporal → worker → database → back' })
  round_trip_ms: number
}
