import Type, { type Static } from 'typebox'
import { listEnvelope, paginationQuery } from '../../http/pagination.js'
import {
  HttpUrlSchema,
  nullable,
  ref,
  SlugSchema,
  StringEnum,
  TimestampSchema,
  UuidSchema,
} from '../../http/schemas.js'
import { MediaImageInSchema } from '../media/media.embeds.schemas.js'
import { MediaImageComponent } from '../media/media.shared.schemas.js'
import { SourceReferenceSchema } from '../sources/sources.schemas.js'

export const seedPersonExample = {
  id: '019ac0de-7a1e-7000-8000-00000000b001',
  slug: 'anna-hakobyan',
  url: 'https://www.example.com/people/anna-hakobyan',
  name: 'Anna Hakobyan',
  jobTitle: 'Political correspondent',
  bio: 'Covers Armenian politics and the South Caucasus from Yerevan.',
  bioHtml: '<p>Covers Armenian politics and the South Caucasus from Yerevan.</p>',
  imageUrl: null,
  image: null,
  sameAs: [],
  affiliationId: '019ac0de-7a1e-7000-8000-00000000a001',
  createdBy: null,
  updatedBy: null,
  createdAt: '2026-11-26T09:00:00.000Z',
  updatedAt: '2026-11-26T09:00:00.000Z',
}

export const PersonComponent = Type.Object(
  {
    id: UuidSchema,
    slug: SlugSchema,
    url: nullable(
      Type.String({
        format: 'uri',
        description:
          "Where the person's page is on the newsroom's site: PUBLIC_PERSON_URL rendered ({slug}, {id}); null " +
          'when it is not set. Read-only, set by the server',
      }),
    ),
    name: Type.String({ maxLength: 200 }),
    jobTitle: nullable(Type.String({ maxLength: 200 })),
    bio: nullable(Type.String({ maxLength: 20000, description: 'Markdown' })),
    bioHtml: nullable(
      Type.String({ maxLength: 200000, description: 'The bio rendered and sanitised, safe to inject into a page' }),
    ),
    email: Type.Optional(
      nullable(Type.String({ maxLength: 320, description: 'Shown to write scopes only (content:write)' })),
    ),
    imageUrl: nullable(Type.String({ maxLength: 2048, description: 'A picture by URL, as written' })),
    image: nullable({ ...ref(MediaImageComponent), description: 'A picture from the media library' }),
    sameAs: Type.Array(Type.String({ maxLength: 2048 }), {
      maxItems: 20,
      description: 'Profiles elsewhere (a site, social accounts, Wikidata), as schema.org sameAs',
    }),
    affiliationId: nullable({ ...UuidSchema, description: 'The source (publisher, agency) the person works for' }),
    createdBy: nullable({ ...UuidSchema, description: 'The API key that created the person (null: seed)' }),
    updatedBy: nullable({ ...UuidSchema, description: 'The API key that last changed the person' }),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  },
  {
    $id: 'Person',
    description: 'A person credited on articles (author, photographer…)',
    additionalProperties: false,
    examples: [seedPersonExample],
  },
)
/** A person, as reads show it and as articles embed it (include=contributors, never with email). */
export const PersonSchema = ref(PersonComponent)
export type Person = Static<typeof PersonSchema>

/** The longest bio a write takes (Markdown, rendered within the article body budgets). */
export const maxBioLength = 20_000

// The fields a write takes, by the names a read shows them (and `affiliation` beside
// `affiliationId`, as articles name a source by `sourceId` or `source`).
const personFields = {
  slug: SlugSchema,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  jobTitle: nullable(Type.String({ maxLength: 200 })),
  bio: nullable(
    Type.String({
      maxLength: maxBioLength,
      description: 'Markdown, rendered and sanitised into bioHtml as article bodies are',
    }),
  ),
  email: nullable(
    Type.String({ format: 'email', maxLength: 320, description: 'Shown to write scopes (content:write) only' }),
  ),
  imageUrl: nullable(HttpUrlSchema),
  image: nullable(
    Type.Union([{ ...UuidSchema, description: 'A media record (POST /v1/media)' }, MediaImageInSchema], {
      description: 'A picture from the media library, by id (null clears it)',
    }),
  ),
  sameAs: Type.Array(HttpUrlSchema, {
    maxItems: 20,
    uniqueItems: true,
    description: 'Profiles elsewhere (a site, social accounts, Wikidata); [] clears them',
  }),
  affiliationId: nullable({ ...UuidSchema, description: 'The source the person works for, by id (null clears it)' }),
  affiliation: nullable(SourceReferenceSchema),
}

export const PersonCreateSchema = Type.Object(
  {
    ...Type.Partial(Type.Object(personFields)).properties,
    slug: Type.Optional({ ...SlugSchema, description: 'Generated from the name when omitted' }),
    name: personFields.name,
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'Gayane Mkrtchyan',
        jobTitle: 'Economics reporter',
        bio: 'Reports on the *Armenian economy*, energy and trade.',
        email: 'gayane@example.com',
        sameAs: ['https://www.wikidata.org/wiki/Q42'],
        affiliation: 'panarmenian-net',
      },
    ],
  },
)
export type PersonCreate = Static<typeof PersonCreateSchema>

export const PersonUpdateSchema = Type.Partial(Type.Object(personFields), {
  additionalProperties: false,
  minProperties: 1,
  examples: [{ jobTitle: 'Senior political correspondent' }],
})
export type PersonUpdate = Static<typeof PersonUpdateSchema>

const personSorts = ['name', '-name', 'createdAt', '-createdAt'] as const

export const PersonListQuerySchema = Type.Object(
  {
    ...paginationQuery,
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Case-insensitive substring of the name' }),
    ),
    affiliation: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Only people affiliated with this source (id or slug)',
      }),
    ),
    sort: StringEnum(personSorts, { default: 'name', description: 'Sort field; a leading "-" sorts descending' }),
  },
  { additionalProperties: false },
)
export type PersonListQuery = Static<typeof PersonListQuerySchema>

const PersonPage = listEnvelope(PersonSchema, 'PersonPage')
export const PersonListSchema = ref(PersonPage)

/** The named components of this module (registered in src/components.ts). */
export const peopleComponents = [PersonComponent, PersonPage]
