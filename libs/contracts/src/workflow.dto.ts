import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger'
import { WORKFLOW_TARGETS } from '#domain/index.js'
import { STEP_KINDS } from '#workflows/engine/declaration.js'
import { PageQueryDto } from './list.dto.js'


export class StepCompensationDto {
  @ApiProperty({ example: 'undo_allocate_loopback_ipv4' }) name: string
  @ApiProperty({ example: 'Release the IPv4 loopback to IPAM' }) label: string
}

export class StepApprovalDto {
  @ApiProperty({ example: 'change-board' }) role: string
  @ApiProperty({ description: 'whether the person who started the process may approve it' }) self_approval: boolean
  @ApiProperty({ nullable: true, type: String, example: '2 days' }) expires_after: string | null
  @ApiProperty({ enum: ['abort', 'suspend'] }) on_expiry: string
}

export class WorkflowStepDto {
  @ApiProperty({ example: 'store_process_subscription' }) name: string
  @ApiProperty({ example: 'Store the subscription (lifecycle initial)' }) label: string
  @ApiProperty({ enum: STEP_KINDS }) kind: string
  @ApiPropertyOptional({ example: 'noc', description: 'input and approval steps: the team or role that answers' }) assignee?: string
  @ApiPropertyOptional({ type: Object, description: 'input, approval and callback steps: JSON Schema of the answer' }) form?: Record<string, unknown>
  @ApiPropertyOptional({ type: StepApprovalDto }) approval?: StepApprovalDto
  @ApiPropertyOptional({ type: Object, example: { every: '30 seconds', for: '1 hour' } }) retry?: { every: string; for: string }
  @ApiPropertyOptional({ type: Object, example: { timeout: '1 hour', on_timeout: 'suspend' } }) callback?: { timeout: string; on_timeout: string }
  @ApiPropertyOptional({ type: StepCompensationDto, description: 'what an abort runs to undo this step once it has completed' }) compensation?: StepCompensationDto
  @ApiPropertyOptional({ description: 'the point of no return: once it has completed, an abort undoes nothing before it' }) irreversible?: boolean
  @ApiPropertyOptional({ type: () => [WorkflowStepDto], description: 'conditional: the steps run when its condition holds' }) steps?: WorkflowStepDto[]
  @ApiPropertyOptional({ type: Object, description: 'parallel: the step list of each branch, by branch name' }) branches?: Record<string, WorkflowStepDto[]>
  @ApiPropertyOptional({ example: 'validate_node', description: 'sub_workflow: the workflow it runs as a child process' }) workflow?: string
}

export class WorkflowDto {
  @ApiProperty({ example: 'create_node' }) name: string
  @ApiProperty({ enum: WORKFLOW_TARGETS }) target: string
  @ApiProperty({ nullable: true, type: String, example: 'node' }) product: string | null
  @ApiProperty() description: string
  @ApiProperty({ description: 'whether POST /api/processes/{name} starts it' }) startable: boolean
  @ApiProperty({ enum: ['processes.start', 'tasks.start'], description: 'the permission starting it needs (a task, target SYSTEM, acts on the whole system)' }) start_permission: string
  @ApiProperty({ type: [WorkflowStepDto], description: 'the ordered step list; groups nest theirs' }) steps: WorkflowStepDto[]
}

/** GET /api/workflows: by name, so only the page size and the cursor. */
export class WorkflowListQueryDto extends PickType(PageQueryDto, ['limit', 'cursor'] as const) {}
