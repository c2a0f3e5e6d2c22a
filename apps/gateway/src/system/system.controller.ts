import { Body, Controller, HttpCode, Post } from '@nestjs/common'
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger'
import { ProblemDto, SystemPingDto, SystemPingRequestDto } from '#contracts/index.js'
import { RETRY_AFTER_HEADER } from '../http/problem.js'
import { SystemService } from './system.service.js'
import { Caller, RequirePermission } from '../auth/auth.decorators.js'
import type { VerifiedCaller } from '../auth/caller.js'

@ApiTags('system')
@Controller('api/system')
export class SystemController {
  constructor(private readonly system: SystemService) {}

  @Post('ping')
  @RequirePermission('tasks.start')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run the system_ping workflow',
    description: 'Starts a workflow whose one activity queries the database, and waits for it: proves that a worker polls the task queue.',
  })
  @ApiOkResponse({ type: SystemPingDto })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'Temporal or the database is down or busy, or no worker answered in time', headers: RETRY_AFTER_HEADER })
  ping(@Body() body: SystemPingRequestDto, @Caller() caller: VerifiedCaller): Promise<SystemPingDto> {
    return this.system.ping(body.timeout_s ?? 10, caller.user)
  }
}
