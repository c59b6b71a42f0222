// The delivery worker: a task of the background worker (src/worker.ts) that claims due
// deliveries, sends them signed, and records each attempt and its outcome. Instances coordinate
// through the claim (webhooks.deliveries-repository.ts), so each attempt is made by one of them.
import type { FastifyBaseLogger } from 'fastify'
import type { PrismaClient } from '../../db/database.js'
import type { WorkerTask } from '../../worker.js'
import { toChangeEvent } from '../changes/changes.mapper.js'
import type { Resolve, TargetPolicy } from './webhooks.address.js'
import * as deliveries from './webhooks.deliveries-repository.js'
import * as webhooks from './webhooks.repository.js'
import { type AttemptResult, sendWebhook } from './webhooks.sender.js'
import { signedHeaders } from './webhooks.signing.js'

/**
 * The wait before each retry after a failed attempt: 5 s, 1 min, 10 min, 1 h, 6 h, 16 h, each
 * ±20% (so retries of many deliveries spread out). Seven attempts in all over about a day; when
 * the last fails the delivery is 'failed'.
 */
const retryDelaysMs = [5_000, 60_000, 600_000, 3_600_000, 21_600_000, 57_600_000]

/** Held beyond the attempt's timeout, so the claim outlasts recording its outcome. */
const claimMarginMs = 30_000

export interface DeliveryTaskOptions {
  clock: () => Date
  /** config.webhooks: the address policy, the attempt timeout, the failure limit, the batch size. */
  settings: TargetPolicy & { timeoutMs: number; failureLimit: number; concurrency: number }
  /** Resolves host names when connecting (tests inject answers). */
  resolve?: Resolve
  log: FastifyBaseLogger
  /** Jitter source, 0 ≤ x < 1. */
  random?: () => number
  /** Told of every attempt made, and of each delivery whose retry schedule ended without a 2xx (metrics). */
  observe?: DeliveryObserver
}

export interface DeliveryObserver {
  attempted(ok: boolean): void
  failed(): void
}

/** The wait before the attempt after failed attempt number `attempt` (1-based), or null: no more. */
function retryDelay(attempt: number, random: () => number = Math.random): number | null {
  const base = retryDelaysMs[attempt - 1]
  if (base === undefined) return null
  return Math.round(base * (0.8 + 0.4 * random()))
}

/** What a failed attempt is remembered by: its error, or the HTTP status the receiver gave. */
function failureOf(result: AttemptResult): string {
  return (result.error ?? `HTTP ${result.statusCode}`).slice(0, 400)
}

export function createDeliveryTask(db: PrismaClient, options: DeliveryTaskOptions): WorkerTask {
  const { clock, settings, log } = options
  const random = options.random ?? Math.random
  const policy: TargetPolicy = { allowHttp: settings.allowHttp, allowPrivateTargets: settings.allowPrivateTargets }

  async function record(claimed: deliveries.ClaimedDelivery, claimedUntil: Date, at: Date, result: AttemptResult) {
    const now = clock()
    const attempts = claimed.attempts + 1
    const delay = result.ok ? null : retryDelay(attempts, random)
    const status = result.ok ? 'succeeded' : delay === null ? 'failed' : 'pending'
    const outcome = await db.$transaction(async (tx) => {
      const logged = await deliveries.insertAttempt(tx, claimed.id, {
        attemptedAt: at,
        statusCode: result.statusCode,
        durationMs: result.durationMs,
        error: result.error?.slice(0, 500) ?? null,
        responseBody: result.responseBody?.slice(0, 4096) ?? null,
      })
      // The webhook was deleted meanwhile, with its deliveries.
      if (!logged) return { recorded: false, disabled: false }
      await deliveries.finishAttempt(tx, claimed.id, claimedUntil, {
        status,
        attempts,
        nextAttemptAt: delay === null ? null : new Date(now.getTime() + delay),
        lastAttemptAt: at,
        now,
      })
      if (result.ok) {
        await webhooks.resetFailures(tx, claimed.webhookId)
        return { recorded: true, disabled: false }
      }
      const disabled = await webhooks.countFailure(tx, claimed.webhookId, settings.failureLimit, failureOf(result), now)
      if (disabled) await webhooks.schedulePending(tx, claimed.webhookId, null, now)
      return { recorded: true, disabled }
    })
    if (outcome.recorded && status === 'failed') options.observe?.failed()
    if (outcome.disabled) {
      log.warn({ webhookId: claimed.webhookId, failure: failureOf(result) }, 'webhook disabled after failed attempts')
    }
  }

  async function attempt(claimed: deliveries.ClaimedDelivery, claimedUntil: Date): Promise<void> {
    const body = JSON.stringify(claimed.event ? toChangeEvent(claimed.event) : claimed.payload)
    const at = clock()
    const result = await sendWebhook(
      { url: claimed.url, headers: signedHeaders(claimed.id, body, claimed, at), body },
      { timeoutMs: settings.timeoutMs, policy, resolve: options.resolve },
    )
    options.observe?.attempted(result.ok)
    try {
      await record(claimed, claimedUntil, at, result)
    } catch (err) {
      // The claim lapses and the delivery is attempted again: at least once, never lost.
      log.warn({ err, deliveryId: claimed.id }, 'could not record a webhook attempt; it will be retried')
    }
  }

  return {
    name: 'webhook-deliveries',
    async run() {
      const now = clock()
      const claimedUntil = new Date(now.getTime() + settings.timeoutMs + claimMarginMs)
      const claimed = await deliveries.claimDue(db, now, claimedUntil, settings.concurrency)
      await Promise.all(claimed.map((c) => attempt(c, claimedUntil)))
      return claimed.length === settings.concurrency
    },
  }
}
