import './start-tracing.js'
import { runWorkerProcess } from './run-worker-process.js'

runWorkerProcess()
