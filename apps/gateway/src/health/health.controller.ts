import { Controller, Get, Headers, Inject, Res } from '@nestjs/common'
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger'
import type { Response } from 'express'
import { HealthDto } from '#contracts/index.js'
import { HealthService } from './health.service.js'
import type { LoomConfig } from '#config/index.js'
import { Public } from '../auth/auth.decorators.js'
import { Authenticator } from '../auth/authenticator.service.js'
import { LOOM_CONFIG } from '../tokens.js'

@ApiTags('system')
@Controller('api/health')
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly authenticator: Authenticator,
    @Inject(LOOM_CONFIG) private readonly config: LoomConfig,
  ) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'Whether Temporal and the database answer',
    description: 'Open to anyone (load balancers, probes): "ok" or "unreachable". Why something is unreachable (addresses, errors) only for callers with permission `read`.',
  })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'something is down; the field names it' })
  async get(@Res({ passthrough: true }) res: Response, @Headers('authorization') authorization?: string): Promise<HealthDto> {
    const result = await this.health.check()
    if (result.status !== 'ok') res.status(503)
    if (result.status === 'ok' || (await this.mayReadDetails(authorization))) return result
    const plain = (state: string) => (state === 'ok' ? 'ok' : 'unreachable')
    return { status: result.status, temporal: plain(result.temporal), database: plain(result.database) }
  }

  /** Reasons name internal addresses and errors: for those who may read Loom's state, not for any prober. */
  private async mayReadDetails(authorization: string | undefined): Promise<boolean> {
    if (!this.config.auth.enabled) return true
    if (!authorization) return false
    const caller = await this.authenticator.verify(authorization).catch(() => undefined)
    return caller?.permissions.has('read') ?? false
  }
}
