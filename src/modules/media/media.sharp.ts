// sharp (libvips), loaded on the first upload or rendition rather than at start-up: loading it
// cost ~0.1 s and ~25 MB of memory that a server which only reads never needed.
import type { default as Sharp } from 'sharp'

let loading: Promise<typeof Sharp> | undefined

/**
 * The sharp module, configured once: libvips's operation cache off (it keeps up to 50 MB of
 * decoded images for an operation repeated on the same input, which an upload or a rendition
 * never is: each reads its own original once).
 */
export function loadSharp(): Promise<typeof Sharp> {
  loading ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache(false)
    return sharp
  })
  return loading
}
