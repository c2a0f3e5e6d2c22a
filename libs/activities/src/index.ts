export { SystemActivities, type DatabaseCheck } from './system/system.activities.js'
