import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { Type } from 'class-transformer'
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsIn, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator'
import { ScopedPageQueryDto } from './tenant.dto.js'

/** what a service's workflow runs on: Loom's engine (a code workflow) or a custom workflow registered as data */
export const WFE_TYPES = ['loom', 'custom', 'st2'] as const
export type WfeType = (typeof WFE_TYPES)[number]

/** The seed's statuses (running, success, failed), and Loom's waiting, suspended, aborted, deleting. */
export const INSTANCE_STATUSES = ['running', 'waiting', 'suspended', 'success', 'failed', 'aborted', 'deleting'] as const
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number]

const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/
const TENANT_MESSAGE = 'tenant_id must be a tenant id: lower-case letters, digits, _ and - (at most 64)'
const NAME = /^[\w][\w .:()/-]{0,99}$/
const NAME_MESSAGE = 'name must be 1 to 100 letters, digits, spaces and _ . : ( ) / -, starting with a letter or digit'
const GROUP = /^[A-Za-z][\w-]{0,49}$/
const GROUP_MESSAGE = 'group must be a word of letters, digits, _ and - (at most 50), starting with a letter'
const INPUT_DOC = {
  oneOf: [{ type: 'object', additionalProperties: true }, { type: 'string', maxLength: 0 }],
  description:
    "a JSON Schema (type object) the instances' parameters must meet, each property a field of the workflows' start forms; \"\" or absent: the first workflow's start form as it is",
  example: { type: 'object', properties: { router: { type: 'string' }, customer_id: { type: 'string', default: 'acme' } }, required: ['router'] },
}

export class ServiceWorkflowDto {
  @ApiProperty({ example: 'create_node', description: 'the workflow an instance runs: a Loom workflow (GET /api/workflows) or a custom one (name, or name@version)' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,99}(@[1-9]\d{0,5})?$/, {
    message: 'definition_source must name a Loom workflow (GET /api/workflows lists them) or a custom workflow, as name or name@version',
  })
  definition_source: string

  @ApiPropertyOptional({ enum: WFE_TYPES, default: 'loom', description: 'loom (a code workflow) or custom; the seed\'s st2 is taken as loom: Loom runs every workflow on its own engine' })
  @IsOptional()
  @IsIn(WFE_TYPES)
  wfe_type?: WfeType
}

export class ServiceCreateDto {
  @ApiProperty({ example: 'node enrolment' })
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name: string

  @ApiPropertyOptional({ example: 'Enrol a planned router as a node' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string

  @ApiProperty({ example: 'provisioning', description: 'what the catalogue groups it under' })
  @IsString()
  @Matches(GROUP, { message: GROUP_MESSAGE })
  group: string

  @ApiPropertyOptional({ example: 'default', description: 'the tenant it belongs to (default: the tenant the request acts in)' })
  @IsOptional()
  @IsString()
  @Matches(TENANT_ID, { message: TENANT_MESSAGE })
  tenant_id?: string

  @ApiPropertyOptional({ description: 'accepted for the seed\'s sake and ignored: the service is registered by the verified caller' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  user_id?: string

  @ApiPropertyOptional(INPUT_DOC)
  @IsOptional()
  @ValidateIf((_o, v) => v !== '')
  @IsObject({ message: 'input must be a JSON Schema object, or "" for the start form as it is' })
  input?: Record<string, unknown> | ''

  @ApiPropertyOptional({ maxLength: 0, description: 'the seed\'s placement constraint: not supported, "" or absent' })
  @IsOptional()
  @IsString()
  @MaxLength(0, { message: 'constraint is not supported: send "" or leave it out' })
  constraint?: string

  @ApiProperty({ type: [ServiceWorkflowDto], description: 'the workflows an instance may run (its action names one)' })
  @IsDefined({ message: 'workflows is required: [{definition_source, wfe_type}]' })
  @IsArray()
  @ArrayMinSize(1, { message: 'workflows must name at least one workflow' })
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => ServiceWorkflowDto)
  workflows: ServiceWorkflowDto[]
}

/** Only the fields given change. */
export class ServicePatchDto {
  @ApiPropertyOptional({ example: 'node enrolment' })
  @IsOptional()
  @IsString()
  @Matches(NAME, { message: NAME_MESSAGE })
  name?: string

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string

  @ApiPropertyOptional({ example: 'provisioning' })
  @IsOptional()
  @IsString()
  @Matches(GROUP, { message: GROUP_MESSAGE })
  group?: string

  @ApiPropertyOptional(INPUT_DOC)
  @IsOptional()
  @ValidateIf((_o, v) => v !== '')
  @IsObject({ message: 'input must be a JSON Schema object, or "" for the start form as it is' })
  input?: Record<string, unknown> | ''

  @ApiPropertyOptional({ type: [ServiceWorkflowDto] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'workflows must name at least one workflow' })
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => ServiceWorkflowDto)
  workflows?: ServiceWorkflowDto[]
}

export class ServiceWorkflowViewDto {
  @ApiProperty({ example: 'create_node' }) definition_source: string
  @ApiProperty({ enum: ['loom', 'custom'], example: 'loom' }) wfe_type: 'loom' | 'custom'
}

export class ServiceDto {
  @ApiProperty({ format: 'uuid' }) id: string
  @ApiProperty({ example: 'default' }) tenant_id: string
  @ApiProperty({ example: 'node enrolment' }) name: string
  @ApiProperty({ example: 'Enrol a planned router as a node' }) description: string
  @ApiProperty({ example: 'provisioning' }) group: string
  @ApiProperty({ type: Object, nullable: true, description: "the JSON Schema instances' parameters meet; null: the first workflow's start form as it is (start_form)" }) input: Record<string, unknown> | null
  @ApiProperty({ example: '/api/workflows/create_node/form', description: "the first workflow's start form, with its choices as they are now: what the parameters then go through" }) start_form: string
  @ApiProperty({ example: '', description: 'always "" (not supported)' }) constraint: string
  @ApiProperty({ type: [ServiceWorkflowViewDto] }) workflows: ServiceWorkflowViewDto[]
  @ApiProperty({ example: 'key:alice', description: 'who registered it (the verified caller)' }) user_id: string
  @ApiProperty({ example: 0, description: 'instances whose process has not ended' }) running_instances: number
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
  @ApiProperty({ type: String, format: 'date-time' }) updated_at: string
}

export class ServiceListQueryDto extends ScopedPageQueryDto {
  @ApiPropertyOptional({ example: 'provisioning' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  group?: string

  @ApiPropertyOptional({ example: 'node enrolment', description: 'the exact name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string
}

export class InstanceRunDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'service_id must be the id of a service (GET /api/catalog/services)' })
  service_id: string

  @ApiProperty({ example: 'create_node', description: "the workflow to run: one of the service's definition_source" })
  @IsString()
  @MaxLength(120)
  action: string

  @ApiProperty({ example: 'enrol ams-pe1' })
  @IsString()
  @Matches(/^\S.{0,199}$/s, { message: 'name must be 1 to 200 characters, not starting with a space' })
  name: string

  @ApiPropertyOptional({ example: 'first router of Amsterdam' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string

  @ApiPropertyOptional({ description: 'accepted for the seed\'s sake and ignored: the instance runs for the verified caller' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  user_id?: string

  @ApiProperty({ type: Object, example: { router: 'ams-pe1' }, description: "the service's input: checked against its schema (422 naming each field), then the workflow's start form" })
  @IsDefined({ message: 'parameters is required: an object of the service\'s input' })
  @IsObject({ message: 'parameters must be an object of the service\'s input' })
  parameters: Record<string, unknown>
}

export class InstanceDto {
  @ApiProperty({ format: 'uuid', description: 'also the id of its process (GET /api/processes/{id}) and Temporal workflow' }) id: string
  @ApiProperty({ format: 'uuid' }) service_id: string
  @ApiProperty({ example: 'node enrolment' }) service_name: string
  @ApiProperty({ example: 'default' }) tenant_id: string
  @ApiProperty({ example: 'enrol ams-pe1' }) name: string
  @ApiProperty({ example: '' }) description: string
  @ApiProperty({ example: 'create_node' }) action: string
  @ApiProperty({ type: Object }) parameters: Record<string, unknown>
  @ApiProperty({ enum: INSTANCE_STATUSES, description: 'follows the process: success when it completed' }) status: InstanceStatus
  @ApiProperty({ example: 'completed', description: "the process's own status" }) process_status: string
  @ApiProperty({ format: 'uuid' }) process_id: string
  @ApiProperty({ example: 'key:alice', description: 'who ran it (the verified caller)' }) user_id: string
  @ApiProperty({ type: String, format: 'date-time' }) created_at: string
  @ApiProperty({ type: String, format: 'date-time' }) updated_at: string
}

export class InstanceListQueryDto extends ScopedPageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'service_id must be a service id' })
  service_id?: string

  @ApiPropertyOptional({ enum: INSTANCE_STATUSES })
  @IsOptional()
  @IsIn(INSTANCE_STATUSES)
  status?: InstanceStatus
}
