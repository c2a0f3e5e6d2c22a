import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'

export class FieldErrorDto {
  @ApiProperty({ example: 'router', description: 'dotted path of the field in the request (body, query or path)' })
  path: string

  @ApiProperty({ example: 'must be one of the planned routers' })
  message: string
}

/** RFC 9457 problem details: every error Loom answers has this body, as application/problem+json. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:loom:problem:validation-failed' })
  type: string

  @ApiProperty({ example: 'Validation failed' })
  title: string

  @ApiProperty({ example: 422 })
  status: number

  @ApiProperty({ example: 'The request body has 1 invalid field.' })
  detail: string

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[]

  @ApiPropertyOptional({ example: '019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b', description: 'the X-Request-Id of the request, to find it in the logs' })
  request_id?: string
}
