import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common'
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger'
import type { Payload } from '@temporalio/common'
import type { NextFunction, Request, Response } from 'express'
import type { LoomConfig } from '#config/index.js'
import { ProblemDto } from '#contracts/index.js'
import { payloadCodecOf } from '#integrations/temporal/temporal-connection.js'
import { RequirePermission } from '../auth/auth.decorators.js'
import { z } from 'zod'
import { fieldErrors } from '#workflows/engine/zod-errors.js'
import { FieldErrorsException } from '../http/problem.js'
import { LOOM_CONFIG } from '../tokens.js'

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
/** A payload as Temporal's Web UI and CLI send it to a codec server: base64 in JSON. */
const jsonPayload = z.strictObject({ metadata: z.record(z.string(), z.string().regex(BASE64, 'must be base64')).optional(), data: z.string().regex(BASE64, 'must be base64').optional() })
const decodeRequest = z.strictObject({ payloads: z.array(jsonPayload) })
type JsonPayload = z.infer<typeof jsonPayload>
const BASE64_STRING = { type: 'string', format: 'byte' }
const PAYLOADS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, properties: { metadata: { type: 'object', additionalProperties: BASE64_STRING }, data: BASE64_STRING } },
    },
  },
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
})
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
})

/**
 * The codec server of Temporal's Web UI (its "codec endpoint"): decrypts payloads for someone Loom lets read
 * processes, so that the UI shows them while Temporal itself holds only ciphertext. Decode only: nothing may be
 * encrypted into a workflow from outside Loom.
 */
@ApiTags('temporal')
@Controller('codec')
export class CodecController {
  constructor(@Inject(LOOM_CONFIG) private readonly config: LoomConfig) {}

  @Post('decode')
  @HttpCode(200)
  @RequirePermission('payloads.read')
  @ApiOperation({ summary: "Decrypt payloads for Temporal's Web UI (its codec endpoint)", description: 'Body and answer as Temporal codec servers take them: {payloads: [{metadata: {k: base64}, data: base64}]}.' })
  @ApiBody({ schema: PAYLOADS_SCHEMA })
  @ApiOkResponse({ schema: PAYLOADS_SCHEMA })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'not payloads, or encrypted with a key Loom does not hold' })
  async decode(@Body() body: unknown): Promise<{ payloads: JsonPayload[] }> {
    const request = decodeRequest.safeParse(body ?? {})
    if (!request.success) throw new FieldErrorsException(422, fieldErrors(request.error), 'request')
    const codec = payloadCodecOf(this.config)
    const payloads = request.data.payloads.map(fromJson)
    try {
      return { payloads: (codec ? await codec.decode(payloads) : payloads).map(toJson) }
    } catch (error) {
      throw new FieldErrorsException(422, [{ path: 'payloads', message: (error as Error).message }], 'request')
    }
  }
}

/** The Web UI runs on its own origin: it may call the codec endpoint from there (with the caller's token), nothing else. */
export function codecCors(config: LoomConfig) {
  const origin = config.temporalUiUrl ? new URL(config.temporalUiUrl).origin : undefined
  return (req: Request, res: Response, next: NextFunction) => {
    if (origin && req.headers.origin === origin) {
      res.setHeader('Access-Control-Allow-Origin', origin)
      res.setHeader('Access-Control-Allow-Credentials', 'true')
      res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, x-namespace')
      res.setHeader('Access-Control-Allow-Methods', 'POST')
      res.setHeader('Vary', 'Origin')
      if (req.method === 'OPTIONS') return void res.status(204).end()
    }
    next()
  }
}
