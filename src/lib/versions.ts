// Optimistic concurrency without HTTP: a record's version, the ETag that names it, and the
// check a write makes against the versions an If-Match header allowed.
import { PreconditionFailedError, withProblem } from '../errors.js'

/** The ETag of a versioned record: it changes exactly when the version does. */
export function versionEtag(version: number): string {
  return `"v${version}"`
}

/** What an If-Match header allows: undefined (no header), '*' (any version) or the versions named. */
export type IfMatch = undefined | '*' | number[]

/** Throws 412 unless the If-Match header allows the current version. */
export function checkIfMatch(ifMatch: IfMatch, currentVersion: number): void {
  if (ifMatch === undefined || ifMatch === '*') return
  if (!ifMatch.includes(currentVersion)) throw preconditionFailed(currentVersion)
}

export function preconditionFailed(currentVersion: number): Error {
  return withProblem(
    new PreconditionFailedError(`The resource is at version ${currentVersion}; If-Match named another`),
    { currentVersion, currentEtag: versionEtag(currentVersion) },
  )
}

/** Whether If-None-Match names this ETag: one of a list, in its weak form too (GET compares weakly), or `*`. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t === etag || t === `W/${etag}` || `W/${t}` === etag
  })
}
