export * from './node-config.js'
export * from './node.model.js'
export * from './node.product.js'
