export { PersistenceModule } from './persistence.module.js'
export { PrismaService } from './prisma.service.js'
export { Prisma } from './generated/prisma/client.js'
export { demoDevices, seedDevices, type SeedDevice } from './seed.js'
