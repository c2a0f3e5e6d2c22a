export * from './frr-config.js'
export * from './node.model.js'
export * from './node.product.js'
