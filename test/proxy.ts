// A TCP proxy on a loopback port in front of a real server (PostgreSQL, Redis), for the tests of
// what the API does when that server hangs: frozen, it keeps every connection open and passes
// nothing on, so requests wait until their timeouts; thawed, it passes traffic again.
import net from 'node:net'

export interface FreezableProxy {
  /** The loopback port it listens on. */
  port: number
  freeze(): void
  thaw(): void
  /** Drops every connection (the requests left hanging fail) and stops listening. */
  stop(): Promise<void>
}

/** A proxy to host:port, listening on `listenPort` (0: any free port; a port again: a restart). */
export async function freezableProxy(target: { host: string; port: number }, listenPort = 0): Promise<FreezableProxy> {
  let frozen = false
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host)
    sockets.add(client).add(upstream)
    client.on('data', (chunk) => frozen || upstream.write(chunk))
    upstream.on('data', (chunk) => frozen || client.write(chunk))
    const drop = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
  })
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze() {
      frozen = true
    },
    thaw() {
      frozen = false
    },
    stop: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy()
        server.close(() => done())
      }),
  }
}
