// `loom demo --lab`: seed 002's story on real FRR routers, with a Loom of its own, cleaned up after; and its usage
// errors. The lab part is skipped, with the reason, where the lab cannot start (root, frr and sshd: .ci/run has them).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { labUnavailable, projectRoot } from '#runtime/index.js'

const CLI = join(projectRoot(), 'dist', 'apps', 'cli', 'src', 'main.js')
const loom = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const env = { ...process.env, TEMPORAL_CLI: process.env.LOOM_TEST_TEMPORAL_CLI }
    const child = execFile(process.execPath, [CLI, ...args], { timeout: 600_000, env, maxBuffer: 16 * 1024 * 1024 }, (_error, stdout, stderr) =>
      resolve({ status: child.exitCode, stdout, stderr }),
    )
  })
const labs = () => new Promise<string>((resolve) => execFile('bash', [join(projectRoot(), 'scripts', 'frr-lab.sh'), 'list'], (_e, stdout) => resolve(stdout)))

describe('loom demo --lab', () => {
  test('usage errors: exit 2 naming the option', async () => {
    for (const [args, message] of [
      [['--lab', '1'], /--lab: the ring has 2 to 8 routers/],
      [['--lab', 'x'], /--lab: the ring has 2 to 8 routers/],
      [['--keep'], /--keep: only with --lab/],
    ] as const) {
      const run = await loom('demo', ...args)
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`)
      assert.match(run.stderr, message)
    }
  })

  test('the story on a ring of three FRR routers: every workflow completes, OSPF Full where circuits remain, nothing left behind', { skip: labUnavailable() }, async () => {
    const run = await loom('demo', '--lab')
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`)
    for (const workflow of ['create_node', 'create_port', 'create_circuit', 'modify_circuit_mode', 'validate_node', 'drain_node', 'restore_node', 'terminate_circuit'])
      assert.match(run.stdout, new RegExp(`^▶ ${workflow}: `, 'm'))
    assert.match(run.stdout, /^ {2}· provide_config_to_user \(skipped\)$/m, 'the FRR driver configures the routers itself')
    assert.match(run.stdout, /^ {2}✓ verify_side_a$/m, 'and verifies them')
    assert.match(run.stdout, /^done: 3 nodes, 3 circuits \(2 in service, 1 terminated\)/m)
    // Circuit 1 (r1–r2) is terminated: r3 keeps both its adjacencies, r1 and r2 one each.
    const lab = /^(lt[0-9a-f]+)-r1 OSPF neighbours:/m.exec(run.stdout)?.[1]
    assert.ok(lab, run.stdout)
    const neighbours = (router: string) => (new RegExp(`^${lab}-${router} OSPF neighbours:\\n((?: {4}.*\\n)+)`, 'm').exec(run.stdout)?.[1] ?? '').match(/Full/g)?.length ?? 0
    assert.deepEqual(['r1', 'r2', 'r3'].map(neighbours), [1, 1, 2])
    assert.match(run.stdout, /^stopping Loom and the lab$/m)
    assert.doesNotMatch(await labs(), new RegExp(lab), 'the lab is gone')
  })
})
