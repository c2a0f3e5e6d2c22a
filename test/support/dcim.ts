import { demoPools, PrismaService, type SeedDevice, seedDevices, seedPools } from '#persistence/index.js'
import { projectRoot } from '#runtime/index.js'

/** Planned FRR routers named `${prefix}-r1` … with documentation-range addresses. */
export function plannedRouters(prefix: string, count: number): SeedDevice[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-r${i + 1}`,
    role: 'router',
    vendor: 'frr',
    platform: 'frr',
    site: prefix,
    management_address: `192.0.2.${i + 1}`,
    primary_ipv4: `198.51.100.${i + 1}/32`,
    primary_ipv6: `2001:db8::${(i + 1).toString(16)}/128`,
  }))
}

export async function seed(databaseUrl: string, devices: SeedDevice[]): Promise<void> {
  const prisma = new PrismaService(databaseUrl)
  try {
    await seedDevices(prisma, devices)
    // The demo pools: create_node takes loopbacks from loopbacks-v4 (198.51.100.0/24) and loopbacks-v6 (2001:db8::/64).
    await seedPools(prisma, demoPools(projectRoot()))
  } finally {
    await prisma.$disconnect()
  }
}
