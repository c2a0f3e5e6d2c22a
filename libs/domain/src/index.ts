export * from './search-attributes.js'
export * from './vocabulary.js'
