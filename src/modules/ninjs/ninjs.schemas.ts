// The IPTC ninjs 3.1 document of an article, as GET /v1/articles/{idOrSlug}?format=ninjs answers it
// and as the change feed carries it (format=ninjs). Only the ninjs properties this API emits are
// declared; the document validates against the official schema (vendor/iptc-ninjs/).
import Type, { type Static } from 'typebox'
import { StringEnum } from '../../http/schemas.js'

/** The ninjs version the documents follow, and its schema's identifier (the profile of the answer). */
export const ninjsVersion = '3.1'
export const ninjsSchemaUrl = 'http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json'
/** The media type a ninjs answer is documented and sent with (Fastify adds the charset). */
export const ninjsMediaType = `application/json; profile="${ninjsSchemaUrl}"`

export const FormatSchema = StringEnum(['json', 'ninjs'], {
  description:
    '`json` (default): the Article. `ninjs`: the article as an IPTC ninjs 3.1 document (NinjsDocument), sent as ' +
    `\`${ninjsMediaType}\` with \`Link: <${ninjsSchemaUrl}>; rel="profile"\``,
})

const text = (description: string) => Type.String({ description })
const uri = (description: string) => Type.String({ format: 'uri', description })
const dateTime = (description: string) => Type.String({ format: 'date-time', description })

const Block = Type.Object(
  {
    role: Type.String(),
    contentType: Type.String(),
    value: Type.String(),
    charCount: Type.Optional(Type.Integer()),
    wordCount: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
)

const Named = Type.Object(
  {
    name: Type.String(),
    rel: Type.Optional(Type.String()),
    role: Type.Optional(Type.String()),
    uri: Type.Optional(uri('The identifier of the person, source or concept (its sameAs, homepage or vocabulary URI)')),
    literal: Type.Optional(text('Its slug in this API')),
  },
  { additionalProperties: false },
)

const Rendition = Type.Object(
  {
    name: Type.String(),
    href: Type.Optional(uri('Absolute only: absent when MEDIA_PUBLIC_URL and PUBLIC_URL are both unset')),
    contentType: Type.Optional(Type.String()),
    width: Type.Optional(Type.Integer()),
    height: Type.Optional(Type.Integer()),
    aspectRatio: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)

const AltId = Type.Object({ role: Type.String(), value: Type.String() }, { additionalProperties: false })

const Association = Type.Object(
  {
    name: text('`leadImage`'),
    rel: Type.String(),
    uri: uri('`urn:newsdesk:media:<id>` for a media record, the image URL otherwise'),
    type: Type.Literal('picture'),
    descriptions: Type.Optional(Type.Array(Block)),
    by: Type.Optional(text('The image credit')),
    copyrightHolder: Type.Optional(Type.String()),
    renditions: Type.Array(Rendition),
  },
  { additionalProperties: false },
)

export const NinjsDocumentSchema = Type.Object(
  {
    uri: uri('`urn:newsdesk:article:<id>`: stable across slugs, versions and public URL changes'),
    type: Type.Literal('text'),
    representationType: StringEnum(['full', 'partial'], {
      description: '`partial` when the bodies are left out (withheld, canceled, or not syndicatable for the key)',
    }),
    standard: Type.Object(
      { name: Type.Literal('ninjs'), version: Type.String(), schema: uri('The ninjs schema') },
      { additionalProperties: false },
    ),
    version: text('The article version (its JSON ETag is "v<version>")'),
    pubStatus: StringEnum(['usable', 'withheld', 'canceled'], {
      description:
        '`usable`: published; `withheld`: not (or no longer) published (draft, scheduled, archived: preview ' +
        'scopes only); `canceled`: deleted or killed',
    }),
    firstCreated: dateTime('When the article was created'),
    versionCreated: dateTime('When this version was made'),
    contentCreated: Type.Optional(dateTime('When the article was first published (else created)')),
    embargoedUntil: Type.Optional(dateTime('The embargo, while the article has one')),
    language: Type.Optional(Type.String()),
    slugline: Type.Optional(text('The slug')),
    headlines: Type.Optional(Type.Array(Block)),
    descriptions: Type.Optional(Type.Array(Block, { description: 'The summary (role `summary`)' })),
    bodies: Type.Optional(Type.Array(Block, { description: 'The body as HTML and as plain text (role `main`)' })),
    located: Type.Optional(text('The place of the dateline (its text before the first comma)')),
    by: Type.Optional(text('The bylines, joined with ", "')),
    people: Type.Optional(Type.Array(Named, { description: 'Contributors; `rel` is their role' })),
    infoSources: Type.Optional(
      Type.Array(Named, { description: 'The publishing source (`publisher`) and credited wires (`originator`)' }),
    ),
    subjects: Type.Optional(Type.Array(Named, { description: 'Tags: name, slug (`literal`) and vocabulary URI' })),
    associations: Type.Optional(Type.Array(Association, { description: 'The lead image, with its renditions' })),
    usageTerms: Type.Optional(Type.String()),
    copyrightHolder: Type.Optional(Type.String()),
    copyrightNotice: Type.Optional(Type.String()),
    edNote: Type.Optional(text("A killed article's public notice")),
    altIds: Type.Optional(
      Type.Array(AltId, { description: 'The id, and the public URL (role `url`) when there is one' }),
    ),
  },
  {
    $id: 'NinjsDocument',
    additionalProperties: false,
    description: `An article as an IPTC ninjs ${ninjsVersion} document (${ninjsSchemaUrl}). Properties are absent when empty.`,
    examples: [
      {
        uri: 'urn:newsdesk:article:019ac0de-7a1e-7000-8000-00000000a001',
        type: 'text',
        representationType: 'full',
        standard: { name: 'ninjs', version: '3.1', schema: ninjsSchemaUrl },
        version: '4',
        pubStatus: 'usable',
        firstCreated: '2026-11-29T08:00:00.000Z',
        versionCreated: '2026-11-29T09:00:00.000Z',
        contentCreated: '2026-11-29T09:00:00.000Z',
        language: 'en',
        slugline: 'arab-league-chief-warns-of-regional-war',
        headlines: [{ role: 'main', contentType: 'text/plain', value: 'Arab League chief warns of regional war' }],
        descriptions: [{ role: 'summary', contentType: 'text/plain', value: 'Amr Moussa spoke in Baghdad.' }],
        bodies: [
          { role: 'main', contentType: 'text/html', value: '<p>BAGHDAD (AP) — …</p>', charCount: 12, wordCount: 3 },
          { role: 'main', contentType: 'text/plain', value: 'BAGHDAD (AP) — …', charCount: 12, wordCount: 3 },
        ],
        located: 'BAGHDAD',
        by: 'By Hamza Hendawi',
        infoSources: [
          { name: 'The Daily Planet', role: 'publisher', literal: 'daily-planet' },
          { name: 'Associated Press', role: 'originator', uri: 'https://apnews.com/', literal: 'associated-press' },
        ],
        subjects: [{ name: 'Iraq', uri: 'http://www.wikidata.org/entity/Q796', literal: 'iraq' }],
        copyrightHolder: 'The Associated Press',
        altIds: [{ role: 'id', value: '019ac0de-7a1e-7000-8000-00000000a001' }],
      },
    ],
  },
)
export type NinjsDocument = Static<typeof NinjsDocumentSchema>

export const ninjsComponents = [NinjsDocumentSchema]
