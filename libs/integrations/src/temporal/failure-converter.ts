// Loaded by path (DataConverter.failureConverterPath), also inside the workflow sandbox: imports only the SDK.
import { DefaultFailureConverter } from '@temporalio/common'

/**
 * Failure messages and stack traces go into the encoded attributes, which the payload codec encrypts: a device's
 * error output (configuration lines) must not sit in Temporal's history in the clear either.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true })
