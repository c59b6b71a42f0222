// The pool's connections, as pg makes them, without holding on to the rows of their first query.
//
// pg's Client#connect(callback) keeps the callback for as long as the connection lives: the
// listeners it adds to the connection ('connect', 'end' and the rest) share the scope that holds
// it. A pool's callback leads, through pg-pool's pending request, to the pool.query that had to
// open the connection, to its promise, and so to the result that promise was resolved with. Each
// connection kept the rows of the statement that opened it until it closed (after 30 s idle, so
// never under steady load): ten connections opened by a month's sitemap held ~10 MB of rows that no
// request needed. The callback here is let go once it has been called, which ends that chain.
import pg from 'pg'

/** pg's connect callback: an error alone, or null and the client (pg's types state it as a union). */
type ConnectCallback = ((err: Error) => void) | ((err: null, client: pg.Client) => void)
type Settle = (err: Error | null, client?: pg.Client) => void

// pg calls the callback once; if a connection ends and then errs before it was ready, twice. The
// second call finds the request already failed (as pg-pool would, for a pending request it had
// answered), so it goes nowhere.
const answered: Settle = () => {}

/** pg's Client, whose connect callback is let go once called (the pool's `Client` option). */
export class NonRetainingClient extends pg.Client {
  override connect(): Promise<pg.Client>
  override connect(callback: ConnectCallback): void
  override connect(callback?: ConnectCallback): Promise<pg.Client> | undefined {
    if (!callback) return super.connect()
    let settle = callback as Settle
    super.connect((err: Error | null, client?: pg.Client) => {
      const call = settle
      settle = answered
      call(err, client)
    })
    return undefined
  }
}
