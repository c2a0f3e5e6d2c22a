export * from './health.dto.js'
export * from './problem.dto.js'
export * from './system.dto.js'
