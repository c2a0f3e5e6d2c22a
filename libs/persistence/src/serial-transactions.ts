import { PrismaPg } from '@prisma/adapter-pg'

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>
type Transaction = Awaited<ReturnType<Adapter['startTransaction']>>

/**
 * @prisma/adapter-pg runs an interactive transaction on one pg client, and Prisma's query interpreter sends the
 * queries of one read at once (the relations of an `include`, Promise.all in its `join` node; also any
 * Promise.all of ours inside `$transaction`). pg queues them, but since 8.19 it prints "Calling client.query()
 * when the client is already executing a query is deprecated" at the first one, and pg 9 refuses them
 * (prisma/orm#29468, not fixed in Prisma 6.19). This adapter factory hands Prisma transactions that send their
 * queries one after the other, which is what pg's queue did, without using the queue.
 */
export class PrismaPgSerialTransactions extends PrismaPg {
  override async connect(): Promise<Adapter> {
    const adapter = await super.connect()
    const start = adapter.startTransaction.bind(adapter)
    adapter.startTransaction = async (isolationLevel) => inTurn(await start(isolationLevel))
    return adapter
  }
}

function inTurn(tx: Transaction): Transaction {
  let last: Promise<unknown> = Promise.resolve()
  const next = <T>(query: () => Promise<T>): Promise<T> => {
    const result = last.then(query)
    last = result.catch(() => undefined)
    return result
  }
  return {
    provider: tx.provider,
    adapterName: tx.adapterName,
    options: tx.options,
    queryRaw: (query) => next(() => tx.queryRaw(query)),
    executeRaw: (query) => next(() => tx.executeRaw(query)),
    commit: () => tx.commit(),
    rollback: () => tx.rollback(),
  }
}
