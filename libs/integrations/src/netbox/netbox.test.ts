// The NetBox adapters against a real NetBox, through the same contract suites as the built-in IPAM and DCIM.
// NetBox 4.7 needs Python ≥ 3.12: where the machine has none, these tests say so and are skipped; with
// NETBOX_URL and NETBOX_TOKEN set they run against that NetBox, in objects of their own (removed after).
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { after, before, describe } from 'node:test'
import { describeDcimContract } from '../dcim/dcim.contract.js'
import { describeIpamContract } from '../ipam/ipam.contract.js'
import { NetboxClient } from './netbox-client.js'
import { NetboxDcim } from './netbox-dcim.js'
import { NetboxIpam } from './netbox-ipam.js'

function pythonVersion(): [number, number] | undefined {
  const out = spawnSync('python3', ['-c', 'import sys; print(sys.version_info[0], sys.version_info[1])'], { encoding: 'utf8' })
  const [major, minor] = (out.stdout ?? '').trim().split(' ').map(Number)
  return major ? [major, minor ?? 0] : undefined
}

function whyNoNetbox(): string | undefined {
  if (process.env.NETBOX_URL && process.env.NETBOX_TOKEN) return undefined
  const python = pythonVersion()
  const found = python ? `Python ${python.join('.')}` : 'no python3'
  if (!python || python[0] < 3 || (python[0] === 3 && python[1] < 12)) {
    return `NetBox 4.7 needs Python ≥ 3.12 and this machine has ${found}; set NETBOX_URL and NETBOX_TOKEN to run these tests against a NetBox you have`
  }
  return `this machine has ${found}, but Loom does not yet start NetBox from PyPI by itself; set NETBOX_URL and NETBOX_TOKEN to run these tests against a NetBox`
}

const skip = whyNoNetbox()

describe('NetBox adapters', { skip }, () => {
  const netbox = new NetboxClient({ url: process.env.NETBOX_URL ?? 'http://unset', token: process.env.NETBOX_TOKEN ?? '' })
  const sfx = randomBytes(3).toString('hex')
  const prefix = `ctr${sfx}`
  const made: string[] = []
  const create = async <T extends { id: number }>(path: string, body: unknown): Promise<T> => {
    const object = await netbox.post<T>(path, body)
    made.unshift(`${path}${object.id}/`)
    return object
  }
  let vrfId = 0
  const pools = { link4: `links-${sfx}`, link6: `links6-${sfx}`, loopback4: `loops-${sfx}`, tiny: `tiny-${sfx}` }

  before(async () => {
    const vrf = await create<{ id: number }>('ipam/vrfs/', { name: `loom-contract-${sfx}` })
    vrfId = vrf.id
    for (const [slug, space] of [
      [pools.link4, '10.99.0.0/24'],
      [pools.link6, '2001:db8:99::/64'],
      [pools.loopback4, '10.98.0.0/28'],
      [pools.tiny, '10.97.0.0/30'],
    ] as const) {
      const role = await create<{ id: number }>('ipam/roles/', { name: slug, slug })
      await create('ipam/prefixes/', { prefix: space, vrf: vrf.id, role: role.id, status: 'container' })
    }
    // Where Loom keeps a device's OS version; a NetBox Loom already uses has it, and keeps it after the suite.
    const [osVersion] = await netbox.list<{ id: number }>('extras/custom-fields/', { name: 'os_version' })
    if (!osVersion) await create('extras/custom-fields/', { name: 'os_version', label: 'OS version', type: 'text', object_types: ['dcim.device'] })
    const site = await create<{ id: number }>('dcim/sites/', { name: prefix, slug: prefix })
    const maker = await create<{ id: number }>('dcim/manufacturers/', { name: `frr-${sfx}`, slug: `frr-${sfx}` })
    const type = await create<{ id: number }>('dcim/device-types/', { manufacturer: maker.id, model: `router-${sfx}`, slug: `router-${sfx}` })
    const role = await create<{ id: number }>('dcim/device-roles/', { name: `router-${sfx}`, slug: `router-${sfx}` })
    for (const k of [1, 2, 3]) {
      const device = await create<{ id: number }>('dcim/devices/', { name: `${prefix}-r${k}`, device_type: type.id, role: role.id, site: site.id, status: 'planned' })
      const ifs: Record<string, number> = {}
      for (const name of ['eth1', 'eth2', 'eth10']) ifs[name] = (await create<{ id: number }>('dcim/interfaces/', { device: device.id, name, type: '10gbase-x-sfpp', speed: 10_000_000 })).id
      if (k === 1) {
        const ip = (address: string, iface: number) => create<{ id: number }>('ipam/ip-addresses/', { address, vrf: vrf.id, assigned_object_type: 'dcim.interface', assigned_object_id: iface })
        const [v4, v6, oob] = [await ip('198.51.100.1/32', ifs.eth10), await ip('2001:db8::1/128', ifs.eth10), await ip('192.0.2.1/24', ifs.eth2)]
        await netbox.patch(`dcim/devices/${device.id}/`, { primary_ip4: v4.id, primary_ip6: v6.id, oob_ip: oob.id })
      }
    }
  })
  after(async () => {
    // Allocations (only in the suite's own VRF: a Loom may share this NetBox) and cables the suites left, then
    // what setup made, newest first.
    for (const path of ['ipam/prefixes/', 'ipam/ip-addresses/']) {
      for (const o of await netbox.list<{ id: number }>(path, { vrf_id: vrfId, description__isw: 'loom:' }).catch(() => [])) await netbox.delete(`${path}${o.id}/`).catch(() => false)
    }
    for (const c of await netbox.list<{ id: number }>('dcim/cables/', { site: prefix }).catch(() => [])) await netbox.delete(`dcim/cables/${c.id}/`).catch(() => false)
    for (const path of made) await netbox.delete(path).catch(() => false)
  })

  describeIpamContract('NetBox', () => ({ ipam: new NetboxIpam(netbox), pools }))
  describeDcimContract('NetBox', () => ({ dcim: new NetboxDcim(netbox), inventory: { prefix } }))
})
