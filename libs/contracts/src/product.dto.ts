import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger'
import { IsOptional, IsString, MaxLength } from 'class-validator'

export class ResourceTypeDto {
  @ApiProperty({ example: 'loopback_ipv4' }) name: string
  @ApiProperty({ example: 'ipv4_prefix' }) type: string
  @ApiProperty({ example: 'IPv4 loopback, also the IGP router id' }) description: string
  @ApiProperty({ enum: ['initial', 'provisioning', 'active'], description: 'from which lifecycle on it must have a value' }) required_from: string
  @ApiProperty({ nullable: true, type: [String], example: null, description: 'enum fields: the allowed values' }) choices: string[] | null
  @ApiProperty({ nullable: true, type: String, example: null, description: 'block_ref fields: the block referred to' }) refers_to: string | null
}

export class ProductBlockDto {
  @ApiProperty({ example: 'node' }) name: string
  @ApiProperty() description: string
  @ApiProperty({ example: 'NODE' }) tag: string
  @ApiProperty({ type: [ResourceTypeDto] }) resource_types: ResourceTypeDto[]
}

export class ProductDto {
  @ApiProperty() id: string
  @ApiProperty({ example: 'port_10g' }) name: string
  @ApiProperty({ example: 'Port' }) type: string
  @ApiProperty({ example: 'A 10G interface on a node' }) description: string
  @ApiProperty({ example: 'PORT' }) tag: string
  @ApiProperty({ type: Object, example: { speed: '10G' } }) fixed_inputs: Record<string, string>
  @ApiProperty({ type: [ProductBlockDto], description: 'its blocks, the root first' }) product_blocks: ProductBlockDto[]
  @ApiProperty({ type: [String], example: ['create_node'] }) workflows: string[]
}

export class ProductListQueryDto {
  @ApiPropertyOptional({ example: 'PORT' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tag?: string

  @ApiPropertyOptional({ example: 'Port' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  type?: string
}
