import { createServer } from 'node:net'

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly variable: string,
  ) {
    super(`port ${port} is already in use; set ${variable} to a free port`)
    this.name = 'PortInUseError'
  }
}

/** Resolves when nothing listens on host:port (it binds and releases the port). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => resolve(false))
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)))
  })
}

/** Checks every port before anything starts, so that a clash is reported by the variable to change. */
export async function assertPortsFree(ports: { port: number; variable: string }[]): Promise<void> {
  for (const { port, variable } of ports) {
    if (!(await isPortFree(port))) throw new PortInUseError(port, variable)
  }
}

/** A port the OS reports free now (tests and benchmarks). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
