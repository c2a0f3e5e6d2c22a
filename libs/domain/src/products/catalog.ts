// Every product Loom offers: one line per product folder.
import { circuitProducts } from './circuit/circuit.product.js'
import { DomainError } from '../errors.js'
import { defineProducts, type ProductDeclaration } from './declaration.js'
import { nodeProduct } from './node/node.product.js'
import { portProducts } from './port/port.product.js'

export const PRODUCTS = defineProducts([nodeProduct, ...portProducts, ...circuitProducts])

export function productNamed(name: string): ProductDeclaration {
  const product = PRODUCTS.find((p) => p.name === name)
  if (!product) throw new DomainError(`no product named ${name}`)
  return product
}
