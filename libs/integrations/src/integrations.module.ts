import { type DynamicModule, Module } from '@nestjs/common'
import type { DeviceAccessConfig, LoomConfig, OssConfig } from '#config/index.js'
import { BuiltinCustomers } from './customers/builtin-customers.js'
import { CUSTOMERS } from './customers/customers.js'
import { WebhookCustomers } from './customers/webhook-customers.js'
import { BuiltinDcim } from './dcim/builtin-dcim.js'
import { DCIM } from './dcim/dcim.js'
import { DEVICE_ACCESS } from './devices/device-access.js'
import { DEVICE_DRIVER, type DeviceDriver } from './devices/driver.js'
import { FleetSimulatorClient } from './devices/fleet-simulator.js'
import { FrrDriver } from './devices/frr-driver.js'
import { PrismaHostKeyRecord } from './devices/host-keys.js'
import { ManualDriver } from './devices/manual-driver.js'
import { OS_UPGRADER } from './devices/os-upgrader.js'
import { SimulatorDriver } from './devices/simulator-driver.js'
import { BuiltinIpam } from './ipam/builtin-ipam.js'
import { IPAM } from './ipam/ipam.js'
import { NetboxClient } from './netbox/netbox-client.js'
import { NetboxDcim } from './netbox/netbox-dcim.js'
import { NetboxIpam } from './netbox/netbox-ipam.js'
import { NOTIFICATION_TEMPLATES, NOTIFIER, type Notifier } from './notifications/notifier.js'
import { SmtpNotifier } from './notifications/smtp-notifier.js'
import { builtinTemplatesDir } from './notifications/templates.js'
import { WebhookNotifier } from './notifications/webhook-notifier.js'
import { CHANGE_TICKETS, WebhookChangeTickets } from './tickets/change-tickets.js'
import { PrismaService } from '#persistence/index.js'

function driverFor(access: DeviceAccessConfig, prisma: PrismaService): DeviceDriver {
  switch (access.driver) {
    case 'frr':
      return new FrrDriver({ hostKeyRecord: new PrismaHostKeyRecord(prisma) })
    case 'simulator':
      return new SimulatorDriver({ seed: access.simulator.seed, latency_ms: access.simulator.latencyMs, failure_rate: access.simulator.failureRate })
    case 'manual':
      return new ManualDriver()
  }
}

function notifierFor(oss: OssConfig): Notifier | null {
  if (oss.smtp) return new SmtpNotifier(oss.smtp)
  if (oss.notifyWebhook) return new WebhookNotifier(oss.notifyWebhook)
  return null
}

/** The sources of truth, the device driver and the OSS/BSS hooks as configured: the interfaces workflows' activities use. */
@Module({})
export class IntegrationsModule {
  static forRoot(config: Pick<LoomConfig, 'ipam' | 'dcim' | 'netboxUrl' | 'netboxToken' | 'devices' | 'oss'>): DynamicModule {
    // loadConfig makes NETBOX_URL and NETBOX_TOKEN required whenever a backend is netbox.
    const netbox = () => new NetboxClient({ url: config.netboxUrl!, token: config.netboxToken! })
    return {
      module: IntegrationsModule,
      global: true,
      providers: [
        BuiltinIpam,
        { provide: IPAM, useFactory: (builtin: BuiltinIpam) => (config.ipam === 'netbox' ? new NetboxIpam(netbox()) : builtin), inject: [BuiltinIpam] },
        BuiltinDcim,
        { provide: DCIM, useFactory: (builtin: BuiltinDcim) => (config.dcim === 'netbox' ? new NetboxDcim(netbox()) : builtin), inject: [BuiltinDcim] },
        { provide: DEVICE_ACCESS, useValue: config.devices },
        // Only the simulator upgrades an OS so far: without it, an upgrade-os task says what to configure.
        { provide: OS_UPGRADER, useFactory: () => (config.devices.fleetSimulatorUrl ? new FleetSimulatorClient(config.devices.fleetSimulatorUrl) : null) },
        { provide: DEVICE_DRIVER, useFactory: (prisma: PrismaService) => driverFor(config.devices, prisma), inject: [PrismaService] },
        BuiltinCustomers,
        { provide: CUSTOMERS, useFactory: (builtin: BuiltinCustomers) => (config.oss.customers.source === 'webhook' ? new WebhookCustomers(config.oss.customers.url) : builtin), inject: [BuiltinCustomers] },
        { provide: NOTIFIER, useFactory: () => notifierFor(config.oss) },
        { provide: NOTIFICATION_TEMPLATES, useFactory: () => config.oss.templatesDir ?? builtinTemplatesDir() },
        { provide: CHANGE_TICKETS, useFactory: () => (config.oss.ticketWebhook ? new WebhookChangeTickets(config.oss.ticketWebhook) : null) },
      ],
      exports: [BuiltinIpam, IPAM, BuiltinDcim, DCIM, DEVICE_ACCESS, DEVICE_DRIVER, OS_UPGRADER, BuiltinCustomers, CUSTOMERS, NOTIFIER, NOTIFICATION_TEMPLATES, CHANGE_TICKETS],
    }
  }
}
