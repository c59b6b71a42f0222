import Type, { type Static } from 'typebox'
import { nullable, ref, SlugSchema, TimestampSchema, UuidSchema } from '../../http/schemas.js'

export const seedPersonExample = {
  id: '019ac0de-7a1e-7000-8000-00000000b001',
  slug: 'anna-hakobyan',
  name: 'Anna Hakobyan',
  jobTitle: 'Political correspondent',
  bio: 'Covers Armenian politics and the South Caucasus from Yerevan.',
  bioHtml: '<p>Covers Armenian politics and the South Caucasus from Yerevan.</p>',
  imageUrl: null,
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
    name: Type.String({ maxLength: 200 }),
    jobTitle: nullable(Type.String({ maxLength: 200 })),
    bio: nullable(Type.String({ maxLength: 20000, description: 'Markdown' })),
    bioHtml: nullable(
      Type.String({ maxLength: 200000, description: 'The bio rendered and sanitised, safe to inject into a page' }),
    ),
    email: Type.Optional(
      nullable(Type.String({ maxLength: 320, description: 'Shown to write scopes only (content:write)' })),
    ),
    imageUrl: nullable(Type.String({ maxLength: 2048 })),
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

/** The named components of this module (registered in src/components.ts). */
export const peopleComponents = [PersonComponent]
