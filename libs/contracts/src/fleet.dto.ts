import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { DEVICE_ROLES } from '#domain/index.js'
import { FLEET_POLICY_NAMES } from '#domain/fleet/rollout.js'

/** The seed's report: host names. */
export class FleetReportDto {
  @ApiProperty({ type: [String], example: ['edge00.earth', 'edge01.earth', 'spine00.earth'] }) completed: string[]
  @ApiProperty({ type: [String], example: ['leaf63.earth', 'leaf81.earth'] }) failed: string[]
  @ApiProperty({ type: [String], description: 'not tried: an earlier device of their group failed', example: ['leaf93.earth'] }) skipped: string[]
}

class FleetCanaryDto {
  @ApiProperty({ minimum: 1, maximum: 1000, description: 'devices upgraded first, the first of as many groups, spread over the sites' }) devices: number
  @ApiPropertyOptional({ minimum: 1, description: 'then wait this long and go on; without it, wait for the change board to approve (PUT /api/processes/{id}/resume {"approved": true})' })
  soak_seconds?: number
}

/** For the OpenAPI document: the body is checked by the task's form (the same as POST /api/processes/task_upgrade_os). */
export class UpgradeOsRequestDto {
  @ApiProperty({ example: '5.3.1' }) version: string
  @ApiPropertyOptional({ type: [String], example: ['earth'], description: 'only devices at these sites (default: all)' }) filter_sites?: string[]
  @ApiPropertyOptional({ enum: DEVICE_ROLES, isArray: true, example: ['spine'], description: 'only devices of these types (default: all)' }) filter_dev_types?: string[]
  @ApiPropertyOptional({ enum: FLEET_POLICY_NAMES, default: 'dc-aware' }) policy?: string
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100, description: 'groups upgraded at once' }) concurrency?: number
  @ApiPropertyOptional({ minimum: 1, description: 'at most this many devices of one site upgrading at once' }) max_down_per_site?: number
  @ApiPropertyOptional({ type: FleetCanaryDto }) canary?: FleetCanaryDto
  @ApiPropertyOptional({ minimum: 0, maximum: 1, description: 'suspend when more than this share of the devices upgraded so far failed' }) halt_failure_rate?: number
  @ApiPropertyOptional({ minimum: 1, default: 10, description: 'the failure rate counts once this many devices were upgraded' }) halt_min_devices?: number
}

class FleetGroupsDto {
  @ApiProperty() total: number
  @ApiProperty() done: number
  @ApiProperty({ description: 'groups at work: one per busy lane' }) running: number
  @ApiProperty({ description: 'the groups at work and those lanes have taken to do next (a lane takes several short groups at once)' }) claimed: number
}

class FleetRunningGroupDto {
  @ApiProperty({ example: 'earth/rack31' }) group: string
  @ApiProperty({ description: '0: the canary wave, 1: the rest' }) wave: number
  @ApiProperty({ nullable: true, type: String, example: 'leaf63.earth', description: 'the device being upgraded' }) device: string | null
  @ApiProperty({ description: 'devices of the group done in this wave' }) done: number
  @ApiProperty() size: number
}

class FleetFailureDto {
  @ApiProperty({ example: 'leaf63.earth' }) device: string
  @ApiProperty({ nullable: true, type: String }) error: string | null
}

/** How far a fleet task is, from its plan in the database. */
export class FleetProgressDto {
  @ApiProperty({ example: 'upgrade_os' }) operation: string
  @ApiProperty({ type: Object, example: { version: '5.3.1' } }) params: unknown
  @ApiProperty({ example: 'dc-aware' }) policy: string
  @ApiProperty({ description: 'devices the task selected' }) devices: number
  @ApiProperty() completed: number
  @ApiProperty({ description: 'completed devices that already ran the version' }) unchanged: number
  @ApiProperty() failed: number
  @ApiProperty() skipped: number
  @ApiProperty({ description: 'devices with no outcome yet' }) pending: number
  @ApiProperty({ type: FleetGroupsDto }) groups: FleetGroupsDto
  @ApiProperty({ nullable: true, type: String, description: 'why the running wave halted (the task is suspended: PUT /resume goes on, /abort stops)' }) halted: string | null
  @ApiProperty({ type: [FleetRunningGroupDto] }) running: FleetRunningGroupDto[]
  @ApiProperty({ type: [FleetFailureDto] }) failures: FleetFailureDto[]
  @ApiPropertyOptional({ type: FleetReportDto, description: 'the report (so far): once the task has ended, halted or waits for approval; not while it runs' })
  report?: FleetReportDto
}
