export * from './frr-config.js'
export * from './node.model.js'
