import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator'
import { PROCESS_STATUSES, type ProcessStatus, STEP_STATUSES, WORKFLOW_TARGETS } from '#domain/index.js'
import { FleetProgressDto } from './fleet.dto.js'
import { ScopedPageQueryDto } from './tenant.dto.js'
import { STEP_KINDS } from '#workflows/engine/declaration.js'

export class ProcessStartedDto {
  @ApiProperty({ example: '019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b' }) id: string
  @ApiProperty({ enum: PROCESS_STATUSES, example: 'created' }) status: ProcessStatus
  @ApiProperty({ example: '019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b' }) workflow_id: string
  @ApiProperty({ example: '5c8f2d7e-3a4b-4c1d-9e8f-7a6b5c4d3e2f' }) run_id: string
}

export class ProcessStepDto {
  @ApiProperty({ example: 'provide_config_to_user' }) name: string
  @ApiProperty({ example: 'Show the base configuration; wait until it is applied' }) label: string
  @ApiProperty({ enum: [...STEP_KINDS, 'compensation'] }) kind: string
  @ApiProperty({ enum: STEP_STATUSES }) status: string
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) started_at: string | null
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completed_at: string | null
  @ApiProperty({ example: 1 }) attempts: number
  @ApiProperty({ nullable: true, type: String, example: 'alice' }) answered_by: string | null
  @ApiProperty({ nullable: true, type: Object, description: 'what the step added to the process state' }) state_delta: unknown
  @ApiProperty({ nullable: true, type: Object }) error: unknown
}

export class PendingInputDto {
  @ApiProperty({ example: 'provide_config_to_user' }) step: string
  @ApiProperty() label: string
  @ApiProperty({ enum: ['input', 'approval'] }) kind: string
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'approvals that expire: when' }) expires_at?: string | null
  @ApiProperty({ nullable: true, type: String, example: 'noc' }) assignee: string | null
  @ApiProperty({ type: Object, description: 'JSON Schema of the answer to PUT to /resume' }) form: Record<string, unknown>
  @ApiProperty({ type: Object, description: 'what to look at before answering, e.g. the configuration' }) data: Record<string, unknown>
}

export class SuspendedStepDto {
  @ApiProperty({ example: 'allocate_loopback_ipv4' }) step: string
  @ApiProperty({ type: Object, example: { message: 'IPAM pool loopbacks-v4 is exhausted', type: 'Exhausted' } }) error: { message: string; type: string | null; workflow_code_error?: boolean }
}

export class WorkflowErrorDto {
  @ApiProperty({ example: 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR' }) cause: string
  @ApiProperty({ example: '[TMPRL1100] Nondeterminism error: Activity type of scheduled event …' }) message: string
  @ApiProperty() non_determinism: boolean
}

export class ProcessAbortDto {
  @ApiPropertyOptional({ example: 'customer cancelled the order', description: 'recorded as the process failure' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string
}

export class ProcessSummaryDto {
  @ApiProperty() id: string
  @ApiProperty({ example: 'create_node' }) workflow: string
  @ApiProperty({ enum: WORKFLOW_TARGETS }) target: string
  @ApiProperty({ enum: PROCESS_STATUSES }) status: ProcessStatus
  @ApiProperty({ example: 'alice' }) created_by: string
  @ApiProperty({ example: 'default', description: 'the tenant it belongs to' }) tenant_id: string
  @ApiProperty({ nullable: true, type: String, example: 'noc' }) assignee: string | null
  @ApiProperty({ nullable: true, type: String, description: 'the process that started this one as a sub-workflow step' }) parent_id: string | null
  @ApiProperty({ type: [String] }) subscription_ids: string[]
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
  @ApiProperty({ type: String, format: 'date-time' }) updated_at: string
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completed_at: string | null
}

export class ProcessDto extends ProcessSummaryDto {
  @ApiProperty({ nullable: true, type: Object, example: { message: 'DCIM has no device named x' } }) failure: unknown
  @ApiProperty({ nullable: true, type: String, description: 'the step running or waiting now (live, from Temporal)' }) current_step: string | null
  @ApiProperty({ type: [String], description: 'every step running or waiting now (several inside a parallel group)' }) current_steps: string[]
  @ApiProperty({ nullable: true, type: PendingInputDto }) pending_input: PendingInputDto | null
  @ApiProperty({ type: [String], description: 'steps waiting for an external system to call back' }) awaiting_callback: string[]
  @ApiProperty({ type: [SuspendedStepDto], description: 'steps that failed after their retries: PUT /resume {} retries them, PUT /abort gives up' }) suspended: SuspendedStepDto[]
  @ApiProperty({ description: 'the engine is stopped; the process waits at its next step boundary' }) paused: boolean
  @ApiProperty({ nullable: true, type: Object, description: 'the process state as its steps built it (live, from Temporal)' }) state: Record<string, unknown> | null
  @ApiProperty({ type: [ProcessStepDto], description: 'every declared step in order (group members after their group), those not reached yet pending; then the compensations an abort ran' }) steps: ProcessStepDto[]
  @ApiProperty({ nullable: true, type: String, description: 'the workflow in the Temporal Web UI' }) temporal_ui_url: string | null
  @ApiProperty({
    nullable: true,
    type: WorkflowErrorDto,
    description: "the workflow's code cannot run (e.g. non-determinism after a deploy): Temporal retries it; deploy code that replays (patched()) and it goes on",
  })
  workflow_error: WorkflowErrorDto | null
  @ApiProperty({ nullable: true, type: FleetProgressDto, description: 'a fleet task (task_upgrade_os): how far it is, group by group; null for other processes' })
  fleet: FleetProgressDto | null
}

export class ProcessListQueryDto extends ScopedPageQueryDto {
  @ApiPropertyOptional({ enum: PROCESS_STATUSES })
  @IsOptional()
  @IsIn(PROCESS_STATUSES)
  status?: ProcessStatus

  @ApiPropertyOptional({ example: 'create_node' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  workflow?: string

  @ApiPropertyOptional({ example: 'alice' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  created_by?: string

  @ApiPropertyOptional({ example: 'noc' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  assignee?: string

  @ApiPropertyOptional({ description: 'the sub-processes of this process (id): a fan-out step’s children, a sub_workflow step’s child' })
  @IsOptional()
  @IsUUID()
  parent_id?: string

  @ApiPropertyOptional({ description: 'processes that touched this subscription (id)' })
  @IsOptional()
  @IsUUID()
  subscription?: string

  @ApiPropertyOptional({ example: 'node', description: 'processes that touched a subscription of this product' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  product?: string
}
