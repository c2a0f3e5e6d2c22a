export { effectiveCost, type LinkConfigData, MAINTENANCE_METRIC, type NodeConfigData } from './contract.js'
export { renderDeviceConfig, renderLinkConfig, renderNodeConfig, type Vendor, VENDORS } from './render.js'
