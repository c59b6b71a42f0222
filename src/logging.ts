// The process's logger. JSON lines go through an asynchronous destination (sonic-boom with
// `sync: false`): a line is appended to a buffer and written with others, once 4 KB are waiting
// or at the latest a second later, instead of one write system call per request (measured at ~7 %
// of a cached read). Nothing is lost on the way out: buildApp flushes the buffer when the app
// closes, and pino writes what is left when the process exits.
import { type DestinationStream, type LoggerOptions, pino } from 'pino'
import type { Config } from './config.js'

/** Bytes waiting before a write; a lone line waits at most flushIntervalMs. */
const minLength = 4096
const flushIntervalMs = 1000

export function loggerOptions(config: Pick<Config, 'logLevel' | 'logFormat'>): LoggerOptions {
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true)
  return {
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  }
}

/** A buffered destination: a file descriptor (standard output by default) or a file path. */
export function bufferedDestination(dest: number | string = 1): DestinationStream {
  const stream = pino.destination({ dest, sync: false, minLength })
  // A quiet server's lines must not wait for the next 4 KB: written within a second.
  const timer = setInterval(() => {
    try {
      stream.flush()
    } catch {
      // Destroyed (its file descriptor closed, e.g. a closed pipe): nothing more can be written.
      clearInterval(timer)
    }
  }, flushIntervalMs).unref()
  stream.once('close', () => clearInterval(timer))
  return stream
}

/** The logger of `npm start`: pretty (a worker thread) on a terminal, buffered JSON lines otherwise. */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, dest?: number | string) {
  const options = loggerOptions(config)
  return options.transport ? pino(options) : pino(options, bufferedDestination(dest))
}
