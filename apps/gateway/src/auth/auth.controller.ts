import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common'
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger'
import { ApiKeyCreatedDto, ApiKeyCreateDto, ApiKeyDto, ProblemDto, WhoAmIDto } from '#contracts/index.js'
import { ApiUuidParam, UuidParamPipe } from '../http/uuid-param.pipe.js'
import { ApiKeysService } from './api-keys.service.js'
import { AUTHENTICATED, Caller, RequirePermission } from './auth.decorators.js'
import type { VerifiedCaller } from './caller.js'

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get('me')
  @RequirePermission(AUTHENTICATED)
  @ApiOperation({ summary: 'Who the credentials say you are, and what you may do' })
  @ApiOkResponse({ type: WhoAmIDto })
  me(@Caller() caller: VerifiedCaller): WhoAmIDto {
    return { user: caller.user, roles: [...caller.roles], permissions: [...caller.permissions].sort(), via: caller.via, tenants: [...caller.tenants], all_tenants: caller.allTenants }
  }

  @Post('keys')
  @RequirePermission(AUTHENTICATED)
  @ApiOperation({
    summary: 'Make an API key (shown once)',
    description: 'For yourself, with roles you hold; an administrator (keys.manage) for anyone. The answer holds the key itself, which is stored only as a hash: keep it.',
  })
  @ApiCreatedResponse({ type: ApiKeyCreatedDto })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'roles the caller may not give, tenants they are not in, a past expiry' })
  create(@Body() body: ApiKeyCreateDto, @Caller() caller: VerifiedCaller): Promise<ApiKeyCreatedDto> {
    return this.keys.create(body, caller)
  }

  @Get('keys')
  @RequirePermission(AUTHENTICATED)
  @ApiOperation({ summary: 'Your API keys (every key, for an administrator); never the keys themselves' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  list(@Caller() caller: VerifiedCaller): Promise<ApiKeyDto[]> {
    return this.keys.list(caller)
  }

  @Delete('keys/:id')
  @RequirePermission(AUTHENTICATED)
  @ApiOperation({ summary: 'Revoke an API key: it stops working at once' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'no such key of yours' })
  @ApiUuidParam()
  revoke(@Param('id', UuidParamPipe) id: string, @Caller() caller: VerifiedCaller): Promise<ApiKeyDto> {
    return this.keys.revoke(id, caller)
  }
}
