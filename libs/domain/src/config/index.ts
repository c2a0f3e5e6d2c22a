export { type DecommissionedConfigData, effectiveCost, type LinkConfigData, MAINTENANCE_METRIC, type NodeConfigData } from './contract.js'
export { renderDecommissionedConfig, renderDeviceConfig, renderLinkConfig, renderNodeConfig, type Vendor, VENDORS } from './render.js'
