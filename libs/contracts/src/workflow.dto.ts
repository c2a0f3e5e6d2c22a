import { ApiProperty } from '@nestjs/swagger'
import { WORKFLOW_TARGETS } from '../../domain/src/index.js'

export class WorkflowStepDto {
  @ApiProperty({ example: 'store_process_subscription' }) name: string
  @ApiProperty({ example: 'Store the subscription (lifecycle initial)' }) label: string
  @ApiProperty({ enum: ['step', 'input'] }) kind: string
}

export class WorkflowDto {
  @ApiProperty({ example: 'create_node' }) name: string
  @ApiProperty({ enum: WORKFLOW_TARGETS }) target: string
  @ApiProperty({ nullable: true, type: String, example: 'node' }) product: string | null
  @ApiProperty() description: string
  @ApiProperty({ description: 'whether POST /api/processes/{name} starts it' }) startable: boolean
  @ApiProperty({ type: [WorkflowStepDto] }) steps: WorkflowStepDto[]
}
