import { Body, Controller, Get, Put } from '@nestjs/common'
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger'
import { EngineSettingsDto, EngineSettingsUpdateDto, ProblemDto } from '#contracts/index.js'
import { EngineControl } from './engine-control.service.js'
import { Caller, RequirePermission } from '../auth/auth.decorators.js'
import type { VerifiedCaller } from '../auth/caller.js'

@ApiTags('settings')
@Controller('api/settings')
export class SettingsController {
  constructor(private readonly engine: EngineControl) {}

  @Get('engine')
  @RequirePermission('read')
  @ApiOperation({ summary: 'Whether the engine runs' })
  @ApiOkResponse({ type: EngineSettingsDto })
  get(): Promise<EngineSettingsDto> {
    return this.engine.get()
  }

  @Put('engine')
  @RequirePermission('engine.switch')
  @ApiOperation({
    summary: 'Stop or start the engine',
    description: '`{running: false}`: new processes get a 503 with the reason, running ones wait at their next step boundary. `{running: true}`: they go on.',
  })
  @ApiOkResponse({ type: EngineSettingsDto })
  @ApiUnprocessableEntityResponse({ type: ProblemDto })
  set(@Body() body: EngineSettingsUpdateDto, @Caller() caller: VerifiedCaller): Promise<EngineSettingsDto> {
    return this.engine.set(body.running, body.reason, caller.user)
  }
}
