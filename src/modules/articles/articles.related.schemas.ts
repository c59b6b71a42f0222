// Related articles' shapes: the list GET /articles/{idOrSlug}/related answers (SparseArticles, as
// lists show them) and its query. The compact RelatedArticle a single read embeds with
// include=related is one of the article's representations (articles.view.schemas.ts).
import Type, { type Static } from 'typebox'
import { ref } from '../../http/schemas.js'
import { ArticleListQuerySchema } from './articles.schemas.js'
import { RelatedArticleComponent, SparseArticleComponent } from './articles.view.schemas.js'

/** A related list's default length, and the most it may ask for (no pages: the best few only). */
const defaultRelated = 5
const maxRelated = 20

/** The ranking, as the spec tells it. */
export const rankingDescription =
  'Public articles that share tags and sections with this one (a shared section counts half a shared tag), ' +
  'closest to it in time: the score is halved 30 days apart, a third at 60. Among equals (as many shared, as ' +
  'many whole days apart), the closest in words (full-text rank against its headline and summary), then the ' +
  'newest. Never the article itself, never an article that is not public, whoever asks.'

const RelatedArticlesComponent = Type.Object(
  { data: Type.Array(ref(SparseArticleComponent), { maxItems: maxRelated }) },
  {
    $id: 'RelatedArticles',
    description: `An article's related articles, best first: at most \`limit\` of them, without pages. ${rankingDescription}`,
    additionalProperties: false,
  },
)

export const RelatedQuerySchema = Type.Object(
  {
    limit: Type.Integer({
      minimum: 1,
      maximum: maxRelated,
      format: 'int32',
      default: defaultRelated,
      description: `How many (1-${maxRelated}, default ${defaultRelated})`,
    }),
    fields: ArticleListQuerySchema.properties.fields,
    include: ArticleListQuerySchema.properties.include,
  },
  { additionalProperties: false },
)
export type RelatedQuery = Static<typeof RelatedQuerySchema>

export const RelatedArticlesSchema = ref(RelatedArticlesComponent)
export type RelatedArticles = Static<typeof RelatedArticlesSchema>

export const relatedComponents = [RelatedArticleComponent, RelatedArticlesComponent]
