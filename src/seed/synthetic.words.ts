// The words synthetic articles are made of, and the names, dates and outlets of their bylines,
// datelines and sources.

// English sentences are assembled from these lists; the body's words all come from them, so any of
// them (SYNTHETIC_WORDS) finds articles in a full-text search.
export const nouns = [
  'government',
  'ministry',
  'parliament',
  'council',
  'committee',
  'agency',
  'court',
  'economy',
  'budget',
  'market',
  'bank',
  'company',
  'industry',
  'investment',
  'trade',
  'border',
  'region',
  'city',
  'village',
  'province',
  'election',
  'campaign',
  'reform',
  'policy',
  'law',
  'bill',
  'treaty',
  'agreement',
  'summit',
  'delegation',
  'report',
  'survey',
  'study',
  'project',
  'program',
  'strategy',
  'railway',
  'airport',
  'pipeline',
  'energy',
  'harvest',
  'school',
  'university',
  'hospital',
  'vaccine',
  'climate',
  'flood',
  'drought',
  'wildfire',
  'earthquake',
  'festival',
  'museum',
  'exhibition',
  'tournament',
  'league',
  'investigation',
  'ceasefire',
  'protest',
  'strike',
  'pension',
  'tax',
  'inflation',
  'currency',
  'tourism',
  'startup',
  'network',
  'satellite',
  'research',
]
export const officials = [
  'minister',
  'spokesperson',
  'mayor',
  'governor',
  'analyst',
  'economist',
  'lawmaker',
  'ambassador',
  'prosecutor',
  'director',
  'chairman',
  'researcher',
]
export const verbs: [past: string, base: string][] = [
  ['announced', 'announce'],
  ['approved', 'approve'],
  ['rejected', 'reject'],
  ['discussed', 'discuss'],
  ['signed', 'sign'],
  ['launched', 'launch'],
  ['postponed', 'postpone'],
  ['criticized', 'criticize'],
  ['welcomed', 'welcome'],
  ['reviewed', 'review'],
  ['proposed', 'propose'],
  ['confirmed', 'confirm'],
  ['expanded', 'expand'],
  ['reduced', 'reduce'],
  ['completed', 'complete'],
  ['opened', 'open'],
  ['defended', 'defend'],
  ['unveiled', 'unveil'],
  ['extended', 'extend'],
  ['suspended', 'suspend'],
  ['supported', 'support'],
  ['examined', 'examine'],
  ['published', 'publish'],
  ['funded', 'fund'],
]
export const adjectives = [
  'new',
  'national',
  'regional',
  'local',
  'international',
  'annual',
  'public',
  'private',
  'major',
  'key',
  'economic',
  'political',
  'joint',
  'fresh',
  'final',
  'controversial',
  'ambitious',
  'modest',
  'urgent',
  'revised',
  'independent',
  'cautious',
  'historic',
  'temporary',
]
export const places = [
  'Yerevan',
  'Gyumri',
  'Vanadzor',
  'Dilijan',
  'Tbilisi',
  'Moscow',
  'Brussels',
  'Geneva',
  'Vienna',
  'Paris',
  'Berlin',
  'Tehran',
  'Beirut',
  'Athens',
  'Istanbul',
  'Washington',
  'London',
  'Rome',
  'Prague',
  'Warsaw',
]
export const times = [
  'on Monday',
  'on Tuesday',
  'on Wednesday',
  'on Thursday',
  'on Friday',
  'over the weekend',
  'last week',
  'this month',
  'earlier this year',
  'late on Friday',
  'after months of talks',
  'for the first time',
]
export const linkers = ['after', 'amid', 'over', 'despite', 'ahead of', 'following']

export const ruWords = (
  'правительство министерство парламент совет комитет экономика бюджет рынок банк компания промышленность ' +
  'инвестиции торговля экспорт граница регион город выборы реформа закон договор соглашение переговоры саммит ' +
  'делегация министр президент мэр доклад исследование проект программа энергетика газ нефть вода урожай школа ' +
  'университет больница здоровье климат погода наводнение фестиваль музей выставка команда матч полиция ' +
  'безопасность налог инфляция валюта цены туризм технологии заявил сообщил обсудили подписали одобрил объявил ' +
  'представил новый национальный региональный местный международный ежегодный важный экономический политический ' +
  'совместный Ереван Москва Тбилиси Гюмри в на по для после также'
).split(' ')
export const hyWords = (
  'կառավարություն նախարարություն խորհրդարան խորհուրդ հանձնաժողով տնտեսություն բյուջե շուկա բանկ ընկերություն ' +
  'արդյունաբերություն ներդրում առևտուր արտահանում սահման մարզ քաղաք գյուղ ընտրություններ բարեփոխում օրենք ' +
  'պայմանագիր համաձայնագիր բանակցություններ հանդիպում պատվիրակություն նախարար նախագահ քաղաքապետ զեկույց ' +
  'հետազոտություն նախագիծ ծրագիր էներգետիկա գազ ջուր բերք դպրոց համալսարան հիվանդանոց առողջապահություն կլիմա ' +
  'եղանակ փառատոն թանգարան ցուցահանդես թիմ ոստիկանություն անվտանգություն հարկ գնաճ արժույթ գներ զբոսաշրջություն ' +
  'տեխնոլոգիա համագործակցություն հայտարարեց քննարկեցին ստորագրեցին հաստատեց ներկայացրեց նոր ազգային ' +
  'տարածաշրջանային տեղական միջազգային ամենամյա կարևոր տնտեսական քաղաքական համատեղ Երևան Գյումրի Վանաձոր Դիլիջան'
).split(' ')

/** English words that every English synthetic body is made of: any of them finds articles in a search. */
export const SYNTHETIC_WORDS: readonly string[] = [...nouns, ...officials, ...adjectives]

export const firstNames = ['Anna', 'David', 'Mariam', 'Armen', 'Elena', 'Sergei', 'Laura', 'James', 'Nina', 'Tigran']
export const lastNames = ['Petrosyan', 'Hakobyan', 'Grigoryan', 'Ivanova', 'Smirnov', 'Miller', 'Carter', 'Bennett']
export const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
export const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]
export const outlets = ['Herald', 'Gazette', 'Times', 'Courier', 'Post', 'Tribune', 'Chronicle', 'Observer']
export const wires = ['Press Agency', 'News Service', 'Wire', 'Newswire']
