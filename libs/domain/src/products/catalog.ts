// Every product Loom offers: one line per product folder.
import { circuitProducts } from './circuit/circuit.product.js'
import { defineProducts } from './declaration.js'
import { nodeProduct } from './node/node.product.js'
import { portProducts } from './port/port.product.js'

export const PRODUCTS = defineProducts([nodeProduct, ...portProducts, ...circuitProducts])
