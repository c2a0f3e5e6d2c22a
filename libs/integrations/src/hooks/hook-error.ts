/**
 * An OSS/BSS hook (a notification, a change ticket) could not be delivered. `retryable` decides whether the
 * activity leaves it to its retry policy (the other system did not answer, or answered 5xx) or fails at once
 * (the other system refused the request, a template is wrong, a setting is missing); `type` is the failure's
 * name in Temporal and in the process log.
 */
export class HookError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message)
    this.name = type
  }
}
