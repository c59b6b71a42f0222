// Embedded metadata read the same on every server: capture times parsed from the file's own
// strings with the offset it gives (else as UTC), never in the server's time zone, and IPTC text
// in UTF-8 taken as UTF-8. End-to-end prefills: media.test.ts.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { test } from 'tap'
import { embeddedMetadata, exifDate, iptcDate, iptcText, xmpDate } from '../../src/modules/media/media.metadata.js'
import type { Media } from '../../src/modules/media/media.schemas.js'
import { build, json, mediaDir } from '../helper.js'
import { upload } from './media.helpers.js'

const iso = (date: Date | undefined) => date?.toISOString()

function photo(exif: Record<string, string>) {
  return sharp({ create: { width: 40, height: 30, channels: 3, background: '#888' } })
    .withExif({ IFD0: { Artist: 'A' }, IFD2: exif })
    .jpeg()
    .toBuffer()
}

test('EXIF times: at the offset the file gives, else UTC', async (t) => {
  t.equal(iso(exifDate('2024:01:02 03:04:05')), '2024-01-02T03:04:05.000Z')
  t.equal(iso(exifDate('2024:01:02 03:04:05', '+04:00')), '2024-01-01T23:04:05.000Z')
  t.equal(iso(exifDate('2024:01:02 03:04:05', '-05:00')), '2024-01-02T08:04:05.000Z')
  t.equal(iso(exifDate('2024:01:02 03:04:05', 'local')), '2024-01-02T03:04:05.000Z', 'an offset that is none: UTC')
  t.equal(exifDate('2024:13:02 03:04:05'), undefined, 'month 13')
  t.equal(exifDate('    :  :     :  :  '), undefined, 'blank, as cameras without a clock write it')
  t.equal(exifDate('0000:00:00 00:00:00'), undefined)
  t.equal(exifDate(new Date()), undefined, 'raw strings only')
})

test('XMP and IPTC times: their offsets, else UTC', async (t) => {
  t.equal(iso(xmpDate('2025-03-04T05:06:07Z')), '2025-03-04T05:06:07.000Z')
  t.equal(iso(xmpDate('2025-03-04T05:06:07.250+02:00')), '2025-03-04T03:06:07.250Z')
  t.equal(iso(xmpDate('2025-03-04T05:06')), '2025-03-04T05:06:00.000Z', 'no seconds, no offset')
  t.equal(iso(xmpDate('2025-03-04')), '2025-03-04T00:00:00.000Z', 'a day')
  t.equal(xmpDate('March 4th'), undefined)
  t.equal(xmpDate('0999-01-01'), undefined, 'outside the stored range')
  t.equal(xmpDate(undefined), undefined)
  t.equal(iso(iptcDate('20240305', '101112+0200')), '2024-03-05T08:11:12.000Z')
  t.equal(iso(iptcDate('20240305', '101112')), '2024-03-05T10:11:12.000Z')
  t.equal(iso(iptcDate('20240305', 'soon')), '2024-03-05T00:00:00.000Z', 'a time that is none: the day')
  t.equal(iptcDate('2024'), undefined)
  t.equal(iptcDate(undefined), undefined)
})

test('IPTC text: UTF-8 bytes read as UTF-8, anything else as it came', async (t) => {
  const mojibake = (text: string) => Buffer.from(text, 'utf8').toString('latin1')
  t.equal(iptcText(mojibake('Երևան — © 2024')), 'Երևան — © 2024')
  t.equal(iptcText('Café Zoë'), 'Café Zoë', 'Latin-1 that is not UTF-8')
  t.equal(iptcText('plain ASCII'), 'plain ASCII')
  t.equal(iptcText('already Երևան'), 'already Երևան', 'not a string of bytes')
  t.equal(iptcText(42), 42)
})

test('the capture time does not depend on the server time zone', async (t) => {
  const dir = await mediaDir(t)
  const path = join(dir, 'photo.jpg')
  await writeFile(path, await photo({ DateTimeOriginal: '2024:01:02 03:04:05' }))
  // Node applies a change of TZ at once (a child process would fall outside tap's coverage map).
  const zone = process.env.TZ
  t.teardown(() => {
    if (zone === undefined) delete process.env.TZ
    else process.env.TZ = zone
  })
  process.env.TZ = 'America/New_York'
  t.equal(new Date(2024, 0, 2).getTimezoneOffset(), 300, 'the process now runs in New York time')
  t.equal(iso((await embeddedMetadata(path)).capturedAt), '2024-01-02T03:04:05.000Z', 'read as UTC all the same')
})

test('an upload with an EXIF offset prefills the exact instant', async (t) => {
  const { app, auth } = await build(t)
  const file = await photo({ DateTimeOriginal: '2024:01:02 03:04:05', OffsetTimeOriginal: '-05:00' })
  t.equal(json<Media>(await upload(app, auth, file)).capturedAt, '2024-01-02T08:04:05.000Z')
})
