export * from './errors.js'
export * from './identity.js'
export * from './search-attributes.js'
export * from './vocabulary.js'
