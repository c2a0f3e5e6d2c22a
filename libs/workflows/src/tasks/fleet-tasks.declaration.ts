// Fleet tasks — the nornir3 demo's upgrade-os, and deploy_config (the configuration the nodes' models render, onto
// their routers, each verified) — durable: the devices the filters select, grouped by a declared policy, worked
// off by lanes that claim groups from a plan in the database (history grows with the concurrency, not the fleet).
// Beyond the seed: an optional canary wave with an approval or a soak time, a halt on a failure rate (the task
// suspends with its report so far; PUT /resume goes on, /abort stops), and a limit of devices down per site.
import { ApplicationFailure, sleep } from '@temporalio/workflow'
import type { FleetActivities, FleetOperation, FleetPlan, LaneSummary } from '#activities/fleet/fleet.activities.js'
import { CANARY_WAVE, MAIN_WAVE } from '#domain/fleet/rollout.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import { declareWorkflow, type ProcessArgs, processFlow, type StepActivityOptions, type StepEnv } from '../engine/declaration.js'
import { TASK_DEPLOY_CONFIG, TASK_UPGRADE_OS } from '../names.js'
import { CHANGE_BOARD, changeBoardApproval } from '../shared/change-board.js'
import type { DeployConfigInput, RolloutInput, UpgradeOsInput } from './fleet-task.forms.js'

type Act = ActivityInterface<FleetActivities>
type Planned = ProcessArgs<RolloutInput> & { plan: FleetPlan }

/** the failure type of a halted wave: the step suspends until an operator resumes or aborts */
export const ROLLOUT_HALTED = 'RolloutHalted'

/**
 * A lane runs as long as its groups take; a dead worker is noticed within a heartbeat timeout and the lane is
 * retried on another, at the device where it stopped.
 */
const LANE: StepActivityOptions = { startToCloseTimeout: '7 days', heartbeatTimeout: '15 seconds' }

/** Runs a wave with one lane per group, up to the concurrency; a halt suspends the step with what it says. */
function runWave<K extends string>(wave: number, key: K) {
  return async (s: Planned, { act, step }: StepEnv<Act>): Promise<Record<K, { lanes: number; groups: number; devices: number }>> => {
    await act.startFleetWave(step)
    const lanes = Math.min(s.input.concurrency, s.plan.groups_per_wave[wave])
    const done: LaneSummary[] = await Promise.all(Array.from({ length: lanes }, (_, lane) => act.runFleetLane({ ...step, wave, lane, lanes })))
    const halted = done.find((l) => l.halted)?.halted
    if (halted) throw ApplicationFailure.nonRetryable(`${halted}: PUT /resume to go on, or /abort`, ROLLOUT_HALTED)
    return { [key]: { lanes, groups: total(done, 'groups'), devices: total(done, 'devices') } } as Record<K, { lanes: number; groups: number; devices: number }>
  }
}

const total = (lanes: LaneSummary[], key: 'groups' | 'devices') => lanes.reduce((n, l) => n + l[key], 0)

/**
 * A fleet task's steps: plan, an optional canary wave (then a soak time or the change board's approval), the rest,
 * and the report. `params` are the operation's own arguments (upgrade_os: the version).
 */
function fleetTask<I extends RolloutInput>(operation: FleetOperation, params: (input: I) => Record<string, unknown>) {
  return processFlow<I, Act>()
    .step('plan_rollout', 'Select the devices and plan their groups and waves', async (s, { act, step }) => ({
      plan: await act.planFleetTask({
        ...step,
        operation,
        params: params(s.input),
        filter_sites: s.input.filter_sites,
        filter_dev_types: s.input.filter_dev_types,
        policy: s.input.policy,
        concurrency: s.input.concurrency,
        max_down_per_site: s.input.max_down_per_site,
        halt_failure_rate: s.input.halt_failure_rate,
        halt_min_devices: s.input.halt_min_devices,
        canary: s.input.canary?.devices ?? 0,
      }),
    }))
    .when('canary', 'A canary wave first', (s) => s.plan.groups_per_wave[CANARY_WAVE] > 0, (flow) =>
      flow
        .step('run_canary', 'The canary devices (any failure halts)', runWave(CANARY_WAVE, 'canary_wave'), { activity: LANE })
        .step('report_canary', 'Report the canary wave', async (_s, { act, step }) => ({ canary_report: (await act.fleetReport(step)).report }))
        .when('soak', 'Wait the soak time', (s) => s.input.canary?.soak_seconds !== undefined, (soak) =>
          soak.step('soak_canary', 'Let the canary devices run before going on', async (s) => {
            await sleep(s.input.canary!.soak_seconds! * 1000)
            return { soaked_seconds: s.input.canary!.soak_seconds! }
          }),
        )
        .when('approval', 'Wait for the change board', (s) => s.input.canary?.soak_seconds === undefined, (approval) =>
          approval.approval('approve_canary', 'The change board approves the rest of the rollout after the canary', changeBoardApproval, {
            role: CHANGE_BOARD,
            self_approval: true,
            data: (s) => ({ canary_report: (s as { canary_report?: unknown }).canary_report }),
          }),
        ),
    )
    .step('run_devices', 'The devices, group by group', runWave(MAIN_WAVE, 'main_wave'), { activity: LANE })
    .step('report', 'Report completed, failed and skipped devices; free them for other tasks', async (_s, { act, step }) => act.finishFleetTask(step))
}

export const upgradeOsDeclaration = declareWorkflow(
  {
    name: TASK_UPGRADE_OS,
    target: 'SYSTEM',
    product: null,
    description: "Upgrade the OS of the devices the filters select (the nornir3 demo's upgrade-os): by groups of the policy, one device at a time per group, in an optional canary wave first",
  },
  fleetTask<UpgradeOsInput>('upgrade_os', (input) => ({ version: input.version })),
  (s) => s.report,
)

export const deployConfigDeclaration = declareWorkflow(
  {
    name: TASK_DEPLOY_CONFIG,
    target: 'SYSTEM',
    product: null,
    description:
      "Deploy the configuration each active node's model renders onto its router (after a template change, or to repair drift): by groups of the policy, each router verified (OSPF Full on its links) or rolled back",
  },
  fleetTask<DeployConfigInput>('deploy_config', () => ({})),
  (s) => s.report,
)
