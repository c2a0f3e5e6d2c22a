import { Controller, Get, Header, Inject } from '@nestjs/common'
import { ApiExcludeController } from '@nestjs/swagger'
import type { Registry } from 'prom-client'
import { RequirePermission } from '../auth/auth.decorators.js'

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY')

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @RequirePermission('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics()
  }
}
