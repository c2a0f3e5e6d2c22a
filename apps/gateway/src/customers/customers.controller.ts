import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common'
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger'
import { CustomerCreateDto, CustomerDto, CustomerPatchDto, type Page, PageQueryDto, ProblemDto } from '#contracts/index.js'
import { ApiPageResponse } from '../http/api-page.decorator.js'
import { BuiltinOnly } from '../http/builtin-only.guard.js'
import { ApiSort } from '../http/pagination.js'
import { CUSTOMER_SORTS, CustomersService } from './customers.service.js'
import { RequirePermission } from '../auth/auth.decorators.js'

/** The built-in customer source (LOOM_CUSTOMERS=builtin): who subscriptions are for and whom notifications reach. */
@ApiTags('customers')
@Controller('api/customers')
@BuiltinOnly('customers')
@ApiConflictResponse({ type: ProblemDto, description: 'customers come from a customer system (LOOM_CUSTOMERS=webhook): manage them there; or a conflict named below' })
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Get()
  @RequirePermission('read')
  @ApiOperation({ summary: 'Customers by id (or ?sort=name, created_at), each with how many live subscriptions it has' })
  @ApiPageResponse(CustomerDto, 'One page of customers')
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiSort(CUSTOMER_SORTS, 'id')
  list(@Query() query: PageQueryDto): Promise<Page<CustomerDto>> {
    return this.customers.list(query)
  }

  @Post()
  @RequirePermission('sources.write')
  @ApiOperation({ summary: 'Add a customer' })
  @ApiCreatedResponse({ type: CustomerDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'the id is taken' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'a field fails validation, named' })
  create(@Body() body: CustomerCreateDto): Promise<CustomerDto> {
    return this.customers.create(body)
  }

  @Get(':id')
  @RequirePermission('read')
  @ApiOperation({ summary: 'One customer' })
  @ApiOkResponse({ type: CustomerDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@Param('id') id: string): Promise<CustomerDto> {
    return this.customers.get(id)
  }

  @Patch(':id')
  @RequirePermission('sources.write')
  @ApiOperation({ summary: 'Change a customer: name, contact_email, contact_name, note', description: 'Only the fields given change; null clears contact_email, contact_name or note.' })
  @ApiOkResponse({ type: CustomerDto, description: 'the customer after the change' })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'a field fails validation, named' })
  update(@Param('id') id: string, @Body() body: CustomerPatchDto): Promise<CustomerDto> {
    return this.customers.update(id, body)
  }

  @Delete(':id')
  @RequirePermission('sources.write')
  @ApiOperation({ summary: 'Remove a customer', description: 'Refused (409, naming them) while subscriptions that are not terminated are for this customer.' })
  @ApiOkResponse({ type: CustomerDto, description: 'what was removed' })
  @ApiNotFoundResponse({ type: ProblemDto })
  remove(@Param('id') id: string): Promise<CustomerDto> {
    return this.customers.remove(id)
  }
}
