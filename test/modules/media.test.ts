// Media uploads: every accepted format, sizes as displayed, metadata prefills, types taken from the
// bytes. Failures that must leave nothing behind: media.failures.test.ts.
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import exifr from 'exifr'
import sharp from 'sharp'
import { test } from 'tap'
import type { Media } from '../../src/modules/media/media.schemas.js'
import { assertProblem, build, json, mediaDir } from '../helper.js'
import { type Format, image, iptcDataset, spooledLeft, upload, withIptc } from './media.helpers.js'

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

test('media: each accepted format is stored with its type, size, hash and placeholder', async (t) => {
  const dir = await mediaDir(t)
  const { app, db, auth } = await build(t, { env: { MEDIA_DIR: dir } })
  const formats: [Format, string][] = [
    ['jpeg', 'image/jpeg'],
    ['png', 'image/png'],
    ['webp', 'image/webp'],
    ['avif', 'image/avif'],
    ['gif', 'image/gif'],
  ]
  for (const [format, mimeType] of formats) {
    const bytes = await image(format, 80, 50)
    const res = await upload(app, auth, bytes)
    t.equal(res.statusCode, 201, `${format}: created`)
    const media = json<Media>(res)
    t.equal(res.headers.location, `/v1/media/${media.id}`)
    t.equal(res.headers.etag, '"v1"')
    t.equal(res.headers['cache-control'], 'private, no-store')
    t.match(media, { mimeType, width: 80, height: 50, bytes: bytes.length, sha256: sha256(bytes), version: 1 })
    t.match(media.placeholder, /^[A-Za-z0-9+/]+=*$/, `${format}: a base64 ThumbHash`)
    t.ok(media.placeholder.length <= 100)
    t.same(media.focalPoint, { x: 0.5, y: 0.5 }, 'centred by default')
    t.equal(media.originalUrl, `/v1/media/${media.id}/original`)
    t.ok(media.renditions.length > 0, 'renditions listed')
    t.ok(media.renditions.every((r) => r.url.startsWith(`/media/${media.id}/`)))
    t.same(await readFile(join(dir, media.id, 'original')), bytes, `${format}: the original stored as sent`)
  }
  t.equal(await db.prisma.media.count(), formats.length)
  t.same(await spooledLeft(), [], 'no temporary file left')
  const audit = await db.prisma.auditEntry.findMany({ where: { resourceType: 'media', action: 'create' } })
  t.equal(audit.length, formats.length, 'each creation audited')
})

test('media: width and height as displayed (EXIF orientation)', async (t) => {
  const { app, auth } = await build(t)
  const rotated = await sharp({ create: { width: 60, height: 20, channels: 3, background: '#3a6' } })
    .withMetadata({ orientation: 6 })
    .jpeg()
    .toBuffer()
  const media = json<Media>(await upload(app, auth, rotated))
  t.match(media, { width: 20, height: 60 }, 'orientation 6: turned a quarter')
})

const xmp = (fields: string) =>
  '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">' +
  '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" ' +
  'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">' +
  `${fields}</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
const alt = (tag: string, text: string) =>
  `<${tag}><rdf:Alt><rdf:li xml:lang="x-default">${text}</rdf:li></rdf:Alt></${tag}>`

function photo(exif: Record<string, string>, xmpFields?: string, dateTaken?: string) {
  let pipeline = sharp({ create: { width: 40, height: 30, channels: 3, background: '#888' } }).withExif({
    IFD0: exif,
    ...(dateTaken ? { IFD2: { DateTimeOriginal: dateTaken } } : {}),
  })
  if (xmpFields) pipeline = pipeline.withXmp(xmp(xmpFields))
  return pipeline.jpeg().toBuffer()
}

test('media: caption, credit, copyright and capture time prefilled from the metadata', async (t) => {
  const { app, auth } = await build(t)
  const exif = { ImageDescription: 'Exif caption', Artist: 'Exif artist', Copyright: 'Exif copyright' }

  const fromExif = json<Media>(await upload(app, auth, await photo(exif, undefined, '2024:01:02 03:04:05')))
  t.match(fromExif, {
    caption: 'Exif caption',
    credit: 'Exif artist',
    copyrightHolder: 'Exif copyright',
    capturedAt: '2024-01-02T03:04:05.000Z',
    alt: null,
    usageTerms: null,
  })

  const withXmp = await photo(
    exif,
    `${alt('dc:description', 'XMP caption')}${alt('dc:rights', 'XMP rights')}` +
      '<photoshop:Credit>XMP credit</photoshop:Credit><photoshop:DateCreated>2025-03-04T05:06:07Z</photoshop:DateCreated>',
  )
  t.match(json<Media>(await upload(app, auth, withXmp)), {
    caption: 'XMP caption',
    credit: 'XMP credit',
    copyrightHolder: 'Exif copyright',
    capturedAt: '2025-03-04T05:06:07.000Z',
  })

  const given = {
    caption: 'Given caption',
    credit: 'Given credit',
    copyrightHolder: 'Given holder',
    capturedAt: '2026-11-01T10:00:00+02:00',
    alt: 'A grey square',
    usageTerms: 'Editorial use only',
    focalPoint: '{"x":0.25,"y":0.75}',
  }
  t.match(json<Media>(await upload(app, auth, await photo(exif), given)), {
    ...given,
    capturedAt: '2026-11-01T08:00:00.000Z',
    focalPoint: { x: 0.25, y: 0.75 },
  })

  const long = json<Media>(await upload(app, auth, await photo({ ImageDescription: 'x'.repeat(2500) })))
  t.equal(long.caption?.length, 2000, 'a caption longer than the column is cut to it')
  const creator = await photo(
    { Artist: '   ' },
    '<dc:creator><rdf:Seq><rdf:li>XMP creator</rdf:li><rdf:li>Second</rdf:li></rdf:Seq></dc:creator>',
  )
  t.equal(json<Media>(await upload(app, auth, creator)).credit, 'XMP creator', 'the first creator; blank tags skipped')
  const none = json<Media>(await upload(app, auth, await image('png')))
  t.match(none, { caption: null, credit: null, copyrightHolder: null, capturedAt: null }, 'no metadata, no prefill')
})

test('media: IPTC text written in UTF-8 (1:90 ESC % G) prefills as written', async (t) => {
  const { app, auth } = await build(t)
  const caption = 'Երևանի Հանրապետության հրապարակը — գիշերը'
  const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#888' } })
    .jpeg()
    .toBuffer()
  const file = withIptc(jpeg, [
    iptcDataset(1, 90, Buffer.from([0x1b, 0x25, 0x47])),
    iptcDataset(2, 0, Buffer.from([0, 4])),
    iptcDataset(2, 120, caption),
    iptcDataset(2, 80, 'Անահիտ Սարգսյան'),
    iptcDataset(2, 116, '© 2024 Newsdesk — all rights reserved'),
    iptcDataset(2, 55, '20240305'),
    iptcDataset(2, 60, '101112+0200'),
  ])
  const read = await exifr.parse(file, { iptc: true, mergeOutput: false })
  t.equal(read?.iptc?.DateCreated, '20240305', 'exifr finds the IPTC block')
  t.match(json<Media>(await upload(app, auth, file)), {
    caption,
    credit: 'Անահիտ Սարգսյան',
    copyrightHolder: '© 2024 Newsdesk — all rights reserved',
    capturedAt: '2024-03-05T08:11:12.000Z',
  })

  // Latin-1 IPTC (no 1:90), as older tools write it: read as Latin-1.
  const latin1 = withIptc(jpeg, [
    iptcDataset(2, 120, Buffer.from('Café © Zoë', 'latin1')),
    iptcDataset(2, 55, '20240305'),
  ])
  t.match(json<Media>(await upload(app, auth, latin1)), {
    caption: 'Café © Zoë',
    capturedAt: '2024-03-05T00:00:00.000Z',
  })
})

test('media: the type is taken from the bytes; anything but an accepted image is a 415', async (t) => {
  const dir = await mediaDir(t)
  const { app, db, auth } = await build(t, { env: { MEDIA_DIR: dir } })
  const png = await image('png')
  const named = await upload(app, auth, undefined, {}, [
    { name: 'file', file: png, filename: 'holiday.jpg', contentType: 'image/jpeg' },
  ])
  t.equal(named.statusCode, 201)
  t.equal(json<Media>(named).mimeType, 'image/png', 'a PNG named .jpg is a PNG')

  const fakes: [string, Buffer][] = [
    ['text', Buffer.from('just some words, nothing to see here\n'.repeat(10))],
    ['HTML', Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>')],
    ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>')],
    ['PDF', Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')],
    [
      'TIFF',
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
        .tiff()
        .toBuffer(),
    ],
  ]
  for (const [name, bytes] of fakes) {
    const res = await upload(app, auth, bytes)
    assertProblem(t, res, 415, 'ND_UNSUPPORTED_MEDIA_TYPE')
    t.comment(`${name}: ${json(res).detail}`)
  }
  const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(400, 7)])
  assertProblem(t, await upload(app, auth, broken), 422, 'ND_IMAGE_UNREADABLE')
  t.equal(await db.prisma.media.count(), 1, 'only the PNG stored')
  t.same(await readdir(dir), [json<Media>(named).id], 'no file of a refused upload')
  t.same(await spooledLeft(), [])
})
