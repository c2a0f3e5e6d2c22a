import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common'
import { ApiHeader, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger'
import { ProblemDto, SystemPingDto, SystemPingRequestDto } from '#contracts/index.js'
import { USER_HEADER } from '#domain/index.js'
import { RETRY_AFTER_HEADER } from '../http/problem.js'
import { SystemService } from './system.service.js'

@ApiTags('system')
@Controller('api/system')
export class SystemController {
  constructor(private readonly system: SystemService) {}

  @Post('ping')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run the system_ping workflow',
    description: 'Starts a workflow whose one activity queries the database, and waits for it: proves that a worker polls the task queue.',
  })
  @ApiHeader({ name: 'X-Loom-User', required: false, description: 'who asks; recorded as LoomCreatedBy' })
  @ApiOkResponse({ type: SystemPingDto })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'Temporal or the database is down or busy, or no worker answered in time', headers: RETRY_AFTER_HEADER })
  ping(@Body() body: SystemPingRequestDto, @Headers(USER_HEADER) user?: string): Promise<SystemPingDto> {
    return this.system.ping(body.timeout_s ?? 10, user)
  }
}
