import { Controller, Get, Param, Query } from '@nestjs/common'
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger'
import { type Page, ProblemDto, ProductDto, ProductListQueryDto } from '#contracts/index.js'
import { ProductsService } from './products.service.js'
import { ApiPageResponse } from '../http/api-page.decorator.js'
import { RequirePermission } from '../auth/auth.decorators.js'

@ApiTags('products')
@Controller('api/products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  @RequirePermission('read')
  @ApiOperation({ summary: 'The product catalogue: products with their fixed inputs, blocks, typed fields and workflows' })
  @ApiPageResponse(ProductDto, 'The product catalogue')
  list(@Query() query: ProductListQueryDto): Promise<Page<ProductDto>> {
    return this.products.list(query)
  }

  @Get(':id')
  @RequirePermission('read')
  @ApiOperation({ summary: 'One product, by id or by name' })
  @ApiOkResponse({ type: ProductDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@Param('id') id: string): Promise<ProductDto> {
    return this.products.get(id)
  }
}
