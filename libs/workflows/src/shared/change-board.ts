// The change board: who approves terminations, and the answer it gives (the same for every product).
import { z } from 'zod'

/** The role that approves terminations. */
export const CHANGE_BOARD = 'change-board'

/** How long a termination waits for the change board before it aborts on its own. */
export const CHANGE_BOARD_EXPIRY = '7 days'

export const changeBoardApproval = z
  .object({ approved: z.boolean({ error: 'approve (true) or reject (false)' }).meta({ title: 'Approved' }), comment: z.string().max(500).optional().meta({ title: 'Comment' }) })
  .strict()
  .meta({ title: 'Change board approval' })
