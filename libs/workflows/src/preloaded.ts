// The libraries every workflow of a worker thread shares (the bundler's preloadModules; bundle-options.ts). Temporal
// evaluates each module a workflow imports once per cached workflow, and zod — its ~180 schema classes and ~60
// locales — was ~480 KiB of the ~570 KiB a process waiting at an input step held in the worker (heap snapshots);
// a module listed here is evaluated once per thread instead. Only stateless libraries belong here: a shared
// module's state is every workflow's. Loom's own declarations stay per workflow (their schemas are built lazily
// by zod, which a frozen object cannot take).
import { z } from 'zod'

// Shared modules are deep-frozen once loaded, zod's global config with them; zod fills in its defaults (the
// English messages, the memoizer of containers) when the first schema is built, which would then throw: built here.
z.object({ answer: z.string() }).safeParse({})

export { z }
