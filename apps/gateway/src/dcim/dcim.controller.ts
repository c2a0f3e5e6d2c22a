import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query } from '@nestjs/common'
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger'
import {
  CableCreateDto,
  CableDto,
  CableListQueryDto,
  CablePatchDto,
  DEMO_FLEETS,
  DeviceCreateDto,
  DeviceDto,
  DeviceListQueryDto,
  DevicePatchDto,
  FleetSeedDto,
  InterfaceCreateDto,
  InterfaceDto,
  InterfacePatchDto,
  type Page,
  ProblemDto,
  RackCreateDto,
  SiteCreateDto,
  SiteDto,
} from '#contracts/index.js'
import { notFound } from '#integrations/errors.js'
import { BuiltinDcim } from '#integrations/dcim/builtin-dcim.js'
import { PrismaService, seedAcmeFleet } from '#persistence/index.js'
import { ApiPageResponse } from '../http/api-page.decorator.js'
import { wholeList } from '../http/pagination.js'
import { BuiltinOnly } from '../http/builtin-only.guard.js'
import { ApiUuidParam, UuidParamPipe } from '../http/uuid-param.pipe.js'
import { RequirePermission } from '../auth/auth.decorators.js'

/** The built-in DCIM: sites and racks, devices (created, corrected, removed), interfaces, cables, demo fleets (409 while NetBox is the DCIM). */
@ApiTags('dcim')
@Controller('api/dcim')
@BuiltinOnly('dcim')
@ApiNotFoundResponse({ type: ProblemDto, description: 'an unknown site, rack, device, interface or cable, named' })
@ApiConflictResponse({ type: ProblemDto, description: 'NetBox is the DCIM (LOOM_DCIM): make changes there' })
export class DcimController {
  constructor(
    private readonly dcim: BuiltinDcim,
    private readonly prisma: PrismaService,
  ) {}

  @Get('sites')
  @RequirePermission('read')
  @ApiOperation({ summary: 'Sites with their racks and how many devices each holds' })
  @ApiPageResponse(SiteDto, 'Every site')
  async sites(): Promise<Page<SiteDto>> {
    return wholeList(await this.dcim.sites())
  }

  @Post('sites')
  @RequirePermission('sources.write')
  @ApiOperation({ summary: 'Create a site' })
  @ApiCreatedResponse({ type: SiteDto })
  @ApiConflictResponse({ type: ProblemDto })
  async createSite(@Body() body: SiteCreateDto): Promise<SiteDto> {
    return { ...(await this.dcim.createSite(body)), racks: [], devices: 0 }
  }

  @Post('sites/:site/racks')
  @RequirePermission('sources.write')
  @ApiOperation({ summary: 'Create a rack at a site' })
  @ApiCreatedResponse({ schema: { example: { site: 'ams', name: 'r101' } } })
  @ApiConflictResponse({ type: ProblemDto })
  createRack(@Param('site') site: string, @Body() body: RackCreateDto): Promise<{ site: string; name: string }> {
    return this.dcim.createRack(site, body.name)
  }

  @Put('fleets/:fleet')
  @RequirePermission('sources.write')
  @ApiOperation({
    summary: 'Load a demo fleet into the built-in DCIM',
    description:
      'acme: the network of the nornir3 demo (seed 003) — sites mercury … neptune, each with edge00-01, spine00-03 and leaf00-99 ' +
      '(`leaf07.earth`), leaves two to a rack (rack00 … rack49), 848 active devices on OS 5.2.3. Idempotent: sites, racks and devices ' +
      'that exist stay as they are (a device keeps its status and the OS version a task recorded); `added` says how many were new.',
  })
  @ApiParam({ name: 'fleet', enum: DEMO_FLEETS })
  @ApiOkResponse({ type: FleetSeedDto, description: 'the fleet is in DCIM' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'a fleet Loom does not know, named' })
  async seedFleet(@Param('fleet') fleet: string): Promise<FleetSeedDto> {
    if (fleet !== 'acme') throw notFound(`Loom has no demo fleet ${fleet} (it has ${DEMO_FLEETS.join(', ')})`)
    return { fleet, ...(await seedAcmeFleet(this.prisma)) }
  }

  @Get('devices')
  @RequirePermission('read')
  @ApiOperation({ summary: 'Devices by name, filtered by status, site and role' })
  @ApiPageResponse(DeviceDto, 'The devices that match')
  async devices(@Query() query: DeviceListQueryDto): Promise<Page<DeviceDto>> {
    return wholeList(await this.dcim.devices(query))
  }

  @Post('devices')
  @RequirePermission('sources.write')
  @ApiOperation({ summary: 'Create a device (planned unless said otherwise)' })
  @ApiCreatedResponse({ type: DeviceDto })
  @ApiConflictResponse({ type: ProblemDto })
  @ApiUnprocessableEntityResponse({ type: ProblemDto })
  createDevice(@Body() body: DeviceCreateDto): Promise<DeviceDto> {
    return this.dcim.createDevice(body)
  }

  @Get('devices/:name')
  @RequirePermission('read')
  @ApiOperation({ summary: 'One device' })
  @ApiOkResponse({ type: DeviceDto })
  device(@Param('name') name: string): Promise<DeviceDto> {
    return this.dcim.device(name)
  }

  @Patch('devices/:name')
  @RequirePermission('sources.write')
  @ApiOperation({
    summary: 'Correct a device: its status, addresses, name, role, vendor, platform, site or rack',
    description:
      'Only the fields given change; null clears an address or the rack. This is how an operator repairs what a suspended process needs ' +
      '(e.g. a missing management address), then retries it with PUT /api/processes/{id}/resume {}. ' +
      'A device a process or a live (not terminated, or locked) subscription holds keeps its name (409 naming the holder).',
  })
  @ApiOkResponse({ type: DeviceDto, description: 'the device after the change' })
  @ApiConflictResponse({
    type: ProblemDto,
    description:
      'the new name is taken, or a new name for a device (or one of its interfaces) held by a process or a live subscription: the subscription (product, lifecycle), the process holding its lock and the claiming process named',
  })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'a field fails validation (a bad address or value), named' })
  updateDevice(@Param('name') name: string, @Body() body: DevicePatchDto): Promise<DeviceDto> {
    return this.dcim.updateDevice(name, body)
  }

  @Delete('devices/:name')
  @RequirePermission('sources.write')
  @ApiOperation({ summary: 'Remove a device and its interfaces', description: 'Refused while a process or a live subscription holds it or one of its interfaces, or a cable ends on it.' })
  @ApiOkResponse({ type: DeviceDto, description: 'what was removed' })
  @ApiConflictResponse({
    type: ProblemDto,
    description:
      'the device or one of its interfaces is held by a process or a live (not terminated, or locked) subscription — the subscription, the process holding its lock and the claiming process named — or cabled (the cables named); nothing removed',
  })
  deleteDevice(@Param('name') name: string): Promise<DeviceDto> {
    return this.dcim.deleteDevice(name)
  }

  @Get('devices/:name/interfaces')
  @RequirePermission('read')
  @ApiOperation({ summary: "A device's interfaces in natural order, each with its cable and the far end" })
  @ApiPageResponse(InterfaceDto, "The device's interfaces")
  async interfaces(@Param('name') name: string): Promise<Page<InterfaceDto>> {
    return wholeList(await this.dcim.interfaces(name))
  }

  @Post('devices/:name/interfaces')
  @RequirePermission('sources.write')
  @ApiOperation({ summary: 'Add an interface to a device' })
  @ApiCreatedResponse({ type: InterfaceDto })
  @ApiConflictResponse({ type: ProblemDto })
  createInterface(@Param('name') name: string, @Body() body: InterfaceCreateDto): Promise<InterfaceDto> {
    return this.dcim.createInterface(name, body)
  }

  @Patch('devices/:name/interfaces/:interface')
  @RequirePermission('sources.write')
  @ApiOperation({
    summary: "Correct an interface's description, enabled, status or speed",
    description: 'Only the fields given change. Of an interface a process or a live subscription holds (a port), only the description.',
  })
  @ApiOkResponse({ type: InterfaceDto, description: 'the interface after the change' })
  @ApiConflictResponse({
    type: ProblemDto,
    description:
      'a new speed, enabled flag or status for an interface a process or a live (not terminated, or locked) subscription holds: the subscription, the process holding its lock and the claiming process named; nothing changed',
  })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'a field fails validation, named' })
  updateInterface(@Param('name') device: string, @Param('interface') name: string, @Body() body: InterfacePatchDto): Promise<InterfaceDto> {
    return this.dcim.editInterface({ device, interface: name }, body)
  }

  @Get('cables')
  @RequirePermission('read')
  @ApiOperation({ summary: 'Cables, oldest first, of a device or in a status' })
  @ApiPageResponse(CableDto, 'The cables that match')
  async cables(@Query() query: CableListQueryDto): Promise<Page<CableDto>> {
    return wholeList(await this.dcim.cables(query))
  }

  @Post('cables')
  @RequirePermission('sources.write')
  @ApiOperation({ summary: 'Cable two interfaces (planned unless said otherwise)', description: 'Idempotent: the same two ends give the cable already there.' })
  @ApiCreatedResponse({ type: CableDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'an end already has another cable (named)' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto })
  createCable(@Body() body: CableCreateDto): Promise<CableDto> {
    return this.dcim.createCable(body.a, body.b, { status: body.status, description: body.description })
  }

  @Get('cables/:id')
  @RequirePermission('read')
  @ApiOperation({ summary: 'One cable' })
  @ApiOkResponse({ type: CableDto })
  @ApiUuidParam()
  cable(@Param('id', UuidParamPipe) id: string): Promise<CableDto> {
    return this.dcim.cable(id)
  }

  @Patch('cables/:id')
  @RequirePermission('sources.write')
  @ApiOperation({ summary: "Change a cable's status (planned → connected → decommissioning)" })
  @ApiOkResponse({ type: CableDto })
  @ApiUuidParam()
  setCableStatus(@Param('id', UuidParamPipe) id: string, @Body() body: CablePatchDto): Promise<CableDto> {
    return this.dcim.setCableStatus(id, body.status)
  }

  @Delete('cables/:id')
  @RequirePermission('sources.write')
  @ApiOperation({ summary: 'Remove a cable' })
  @ApiOkResponse({ type: CableDto, description: 'what was removed' })
  @ApiUuidParam()
  async deleteCable(@Param('id', UuidParamPipe) id: string): Promise<CableDto> {
    const removed = await this.dcim.deleteCable(id)
    if (!removed) throw notFound(`DCIM has no cable ${id}`)
    return removed
  }
}
