import { ApiProperty } from '@nestjs/swagger'

/** A custom workflow: its name and where its versions stand. */
export class CustomWorkflowDto {
  @ApiProperty({ example: 'lab_address' }) name: string
  @ApiProperty({ example: 'default', description: 'the tenant it belongs to: its name is unique there' }) tenant_id: string
  @ApiProperty({ example: 'Give a lab host an address, after the NOC has said which' }) description: string
  @ApiProperty({ example: 2, description: 'what POST /api/catalog/workflows/{name}/start runs' }) latest_version: number
  @ApiProperty({ example: 'key:admin' }) created_by: string
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
  @ApiProperty({ type: String, format: 'date-time' }) updated_at: string
}

export class CustomWorkflowVersionSummaryDto {
  @ApiProperty({ example: 1 }) version: number
  @ApiProperty({ example: '5f2b…', description: 'sha256 of the definition (keys sorted): the same content registers as the same version' }) definition_hash: string
  @ApiProperty({ example: 'key:admin' }) created_by: string
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
}

export class CustomWorkflowDetailDto extends CustomWorkflowDto {
  @ApiProperty({ type: [CustomWorkflowVersionSummaryDto], description: 'every version, oldest first' }) versions: CustomWorkflowVersionSummaryDto[]
}

/** One version: the definition as registered (never changed; a process keeps the version it started with). */
export class CustomWorkflowVersionDto extends CustomWorkflowVersionSummaryDto {
  @ApiProperty({ example: 'lab_address' }) name: string
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the definition: {name, description, input?, steps}' }) definition: Record<string, unknown>
}
