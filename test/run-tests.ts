// `npm test`: starts what the tests need once for the whole run (test/support/stack.ts), runs node's test
// runner on every compiled *.test.js, scans the workflow histories the suite left (no payload in the clear, no key),
// and cleans up without printing after the runner's summary unless that scan finds something.
// `npm test -- <text>` runs only the test files whose path contains <text>.
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { projectRoot } from '#runtime/index.js'
import { scanHistories } from './support/history-scan.js'
import { startTestStack } from './support/stack.js'

const note = (message: string) => console.log(`# harness: ${message}`)

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : []))
    .sort()
}

async function main(): Promise<number> {
  const root = projectRoot()
  const files = testFiles(join(root, 'dist'))
    // tsc leaves the output of a deleted source behind: only tests whose source still exists run.
    .filter((f) => existsSync(join(root, relative(join(root, 'dist'), f)).replace(/\.js$/, '.ts')))
    .filter((f) => !process.argv[2] || f.includes(process.argv[2]))
  if (files.length === 0) throw new Error(`no test file matches "${process.argv[2]}"`)
  const scratch = mkdtempSync(join(tmpdir(), 'loom-test-'))
  chmodSync(scratch, 0o755) // the embedded PostgreSQL runs as the OS user postgres when we are root
  try {
    const stack = await startTestStack(scratch, note)
    try {
      note(`temporal ${stack.temporalAddress} (${stack.cli.source}), postgres ${new URL(stack.databaseServer).host}, ${files.length} test files`)
      const runner = spawn(process.execPath, ['--test', '--test-reporter=tap', ...files.map((f) => relative(root, f))], {
        cwd: root,
        stdio: 'inherit',
        env: {
          ...process.env,
          LOOM_TEST_TEMPORAL_ADDRESS: stack.temporalAddress,
          LOOM_TEST_TEMPORAL_CLI: stack.cli.path,
          LOOM_TEST_DATABASE_SERVER: stack.databaseServer,
          LOOM_TEST_TEMPLATE_DB: stack.templateDatabase,
          LOOM_TEST_SCRATCH: scratch,
        },
      })
      const code = await new Promise<number>((resolve) => runner.on('exit', (exit) => resolve(exit ?? 1)))
      // Silent when all is well: node's summary stays the last thing printed.
      const { scanned, findings } = await scanHistories(stack.temporalAddress)
      if (findings.length === 0) return code
      note(`${findings.length} problems in the ${scanned} workflow histories the suite left:\n${findings.slice(0, 50).join('\n')}`)
      console.log('# fail 1 (workflow histories)')
      return 1
    } finally {
      await stack.stop()
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('# harness failed:', error)
    console.log('0 passed, 1 failed')
    process.exit(1)
  },
)
