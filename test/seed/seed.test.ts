import t from 'tap'
import { seed } from '../../src/seed/seed.js'
import { createTestDatabase } from '../helper.js'
import { topStoriesOnThePage } from '../seed-page.js'

t.test('seed', async (t) => {
  const { db } = await createTestDatabase(t)
  const prisma = db.prisma

  const counts = async () => ({
    sources: await prisma.source.count(),
    people: await prisma.person.count(),
    sections: await prisma.section.count(),
    tags: await prisma.tag.count(),
    articles: await prisma.article.count(),
    collections: await prisma.collection.count(),
    teasers: await prisma.teaser.count(),
  })
  const expected = { sources: 4, people: 2, sections: 7, tags: 6, articles: 5, collections: 2, teasers: 6 }

  const none = { sources: 0, people: 0, sections: 0, tags: 0, articles: 0, collections: 0, teasers: 0 }
  t.same(await counts(), none, 'the database starts empty')

  t.test('the first run creates the example content', async (t) => {
    t.same(await seed(prisma), { created: expected })
    t.same(await counts(), expected)
  })

  t.test('a second run creates nothing', async (t) => {
    t.same(await seed(prisma), { created: none })
    t.same(await counts(), expected, 'counts are unchanged')
  })

  t.test('the article', async (t) => {
    const article = await prisma.article.findUnique({
      where: { slug: 'iraq-to-share-intelligence-info-on-is-with-syria-russia-iran' },
      include: {
        source: true,
        credits: { include: { source: true }, orderBy: { position: 'asc' } },
        tags: { include: { tag: true } },
      },
    })
    if (!article) throw new Error('the article was not seeded')
    t.equal(article.headline, 'Iraq to share intelligence info on IS with Syria, Russia, Iran')
    t.equal(article.dateline, 'Sunday, September 27')
    t.equal(article.status, 'published')
    t.equal(article.source?.slug, 'panarmenian-net')
    t.same(
      article.credits.map((c) => ({ source: c.source.slug, role: c.role, position: c.position })),
      [{ source: 'associated-press', role: 'wire', position: 0 }],
    )
    t.same(article.tags.map((x) => x.tag.slug).sort(), ['iran', 'iraq', 'islamic-state', 'russia', 'syria'])
    const paragraphs = article.body.split('\n\n')
    t.ok(
      paragraphs.some((p) => p.startsWith('A statement issued by the Joint Operations Command')),
      'the body has the Joint Operations Command paragraph',
    )
  })

  t.test('the top stories box', async (t) => {
    const collection = await prisma.collection.findUnique({
      where: { key: 'top-stories' },
      include: { teasers: { orderBy: { position: 'asc' }, include: { article: true } } },
    })
    if (!collection) throw new Error('top-stories was not seeded')
    t.equal(collection.teasers.length, 4)
    const onThePage = await topStoriesOnThePage()
    t.equal(onThePage.length, 4)
    t.same(
      collection.teasers.map((x) => x.text),
      onThePage,
      'the teaser texts are the sentences of the page, in order',
    )
    for (const teaser of collection.teasers) {
      t.ok(teaser.article, `teaser ${teaser.position} links to an article`)
      t.equal(teaser.article?.status, 'published', `teaser ${teaser.position}: the article is published`)
      t.equal(teaser.article?.summary, teaser.text, `teaser ${teaser.position}: the summary is the teaser text`)
    }
  })

  t.test('the partner news box', async (t) => {
    const collection = await prisma.collection.findUnique({
      where: { key: 'partner-news' },
      include: { teasers: { orderBy: { position: 'asc' }, include: { source: true } } },
    })
    t.ok(collection, 'partner-news exists')
    t.equal(collection?.teasers.length, 2, 'with two external teasers')
    for (const teaser of collection?.teasers ?? []) {
      t.equal(teaser.articleId, null)
      t.match(teaser.url, /^https:\/\//)
      t.equal(teaser.source?.kind, 'partner', 'from a partner source')
      t.match(teaser.source?.homepageUrl, /^https:\/\//)
    }
    const history = await prisma.collectionEvent.findMany({ where: { collectionId: collection?.id } })
    t.same(
      history.map((e) => e.action),
      ['seed'],
      'history starts with the seeded line-up',
    )
  })
})
