import { afinn165FinancialMarketNews } from 'afinn-165-financialmarketnews';
import Sentiment from 'sentiment';

/**
 * Offline text scoring: the `sentiment` package's AFINN engine with the finance-tuned AFINN-165
 * (afinn-165-financialmarketnews) and our own overlay of market words it lacks or under-weights
 * (bullish, downgrade, beats, misses, guidance cut ...). Nothing is downloaded; a document scores in
 * about 10 microseconds.
 */

/** Words the finance AFINN lacks or weighs too lightly for market text. AFINN scale, -5..+5. */
const OVERLAY: Readonly<Record<string, number>> = {
  bullish: 3,
  bearish: -3,
  bull: 1,
  bear: -1,
  beat: 2,
  beats: 2,
  topped: 2,
  miss: -2,
  misses: -2,
  missed: -2,
  upgrade: 2,
  upgrades: 2,
  upgraded: 2,
  downgrade: -2,
  downgrades: -2,
  downgraded: -2,
  outperform: 2,
  outperforms: 2,
  overweight: 1,
  underperform: -2,
  underperforms: -2,
  underweight: -1,
  moon: 2,
  mooning: 2,
  rocket: 1,
  soar: 2,
  soars: 2,
  soared: 2,
  surges: 2,
  surged: 2,
  jumps: 1,
  jumped: 1,
  rallies: 1,
  plunges: -2,
  plunged: -2,
  tumbles: -2,
  tumbled: -2,
  slumps: -2,
  slumped: -2,
  sinks: -2,
  sank: -2,
  crashes: -2,
  crashed: -2,
  tanking: -2,
  tanked: -2,
  dump: -1,
  dumping: -1,
  calls: 1,
  puts: -1,
  long: 1,
  short: -1,
  shorting: -1,
  squeeze: 1,
  buyback: 2,
  dilution: -2,
  recall: -2,
  investigation: -2,
  subpoena: -2,
  delisting: -3,
  bankrupt: -3,
  // Phrase tokens written by PHRASES below.
  guidanceraise: 3,
  guidancecut: -3,
  targetraise: 2,
  targetcut: -2,
  strongbuy: 3,
  strongsell: -3,
  alltimehigh: 2,
  newlow: -2,
};

/** Multi-word market phrases, rewritten to one overlay token before tokenising. */
const PHRASES: readonly (readonly [RegExp, string])[] = [
  [
    /\b(?:raises?|raised|raising|boosts?|boosted|lifts?|lifted|ups)\s+(?:its\s+|full[- ]year\s+|fy\s+)?(?:guidance|outlook|forecast)\b/g,
    'guidanceraise',
  ],
  [/\b(?:guidance|outlook|forecast)\s+(?:raised|boosted|lifted|increased)\b/g, 'guidanceraise'],
  [
    /\b(?:cuts?|cutting|lowers?|lowered|lowering|slashes|slashed|reduces?|reduced|trims?|trimmed|withdraws?|withdrew)\s+(?:its\s+|full[- ]year\s+|fy\s+)?(?:guidance|outlook|forecast)\b/g,
    'guidancecut',
  ],
  [/\b(?:guidance|outlook|forecast)\s+(?:cut|lowered|slashed|reduced|withdrawn)\b/g, 'guidancecut'],
  [/\b(?:price\s+)?targets?\s+(?:raised|increased|lifted|boosted)\b/g, 'targetraise'],
  [/\b(?:raises?|raised|lifts?|boosts?)\s+(?:its\s+|the\s+)?(?:price\s+)?target\b/g, 'targetraise'],
  [/\b(?:price\s+)?targets?\s+(?:cut|lowered|reduced|slashed)\b/g, 'targetcut'],
  [/\b(?:cuts?|lowers?|lowered|slashes|reduces?)\s+(?:its\s+|the\s+)?(?:price\s+)?target\b/g, 'targetcut'],
  [/\bstrong\s+buy\b/g, 'strongbuy'],
  [/\bstrong\s+sell\b/g, 'strongsell'],
  [/\ball[- ]time\s+highs?\b/g, 'alltimehigh'],
  [/\b(?:52[- ]week|new|record)\s+lows?\b/g, 'newlow'],
];

/** Emoji the tokenizer would glue to words or drop, as words the lexicon knows. */
const EMOJI: readonly (readonly [RegExp, string])[] = [
  [/🚀/gu, ' moon '],
  [/📈/gu, ' bullish '],
  [/📉/gu, ' bearish '],
  [/🐂/gu, ' bullish '],
  [/🐻/gu, ' bearish '],
  [/💀|⚰️/gu, ' crashed '],
  [/🔥/gu, ' strong '],
  [/💎🙌|💎/gu, ' hold '],
];

/** Words that flip the score of a word one or two tokens after them ("not bullish", "not at all bad"). */
const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'neither',
  'nor',
  'without',
  "isn't",
  'isnt',
  "aren't",
  'arent',
  "wasn't",
  'wasnt',
  "don't",
  'dont',
  "doesn't",
  'doesnt',
  "didn't",
  'didnt',
  "won't",
  'wont',
  "can't",
  'cant',
  'cannot',
  "shouldn't",
  'hardly',
]);

const LANGUAGE = 'en-fin';
const labels: Record<string, number> = { ...afinn165FinancialMarketNews, ...OVERLAY };
const engine = new Sentiment();
engine.registerLanguage(LANGUAGE, {
  labels,
  scoringStrategy: {
    apply: (tokens, cursor, tokenScore) => {
      const prev = tokens[cursor - 1];
      const prev2 = tokens[cursor - 2];
      // "not bullish"; "not very bullish" / "not at all bad" (one word between).
      if (
        (prev !== undefined && NEGATORS.has(prev)) ||
        (prev2 !== undefined && NEGATORS.has(prev2) && tokens[cursor - 1] !== 'but')
      )
        return -tokenScore;
      return tokenScore;
    },
  },
});

/** AFINN points at which a text's score reaches tanh(1) = 0.76: a clearly worded headline. */
const SCALE = 4;

export interface TextScore {
  /** -1..1 (tanh of the AFINN sum over SCALE). 0 when no lexicon word was found. */
  readonly score: number;
  /** Lexicon words that scored: 0 means the text says nothing we can read. */
  readonly hits: number;
}

const prepare = (text: string): string => {
  let t = text;
  for (const [pattern, word] of EMOJI) t = t.replace(pattern, word);
  t = t.toLowerCase().replace(/https?:\/\/\S+/g, ' ');
  for (const [pattern, token] of PHRASES) t = t.replace(pattern, ` ${token} `);
  // `$AAPL` and `#AAPL` are names, not words; drop them so "$BEAR" scores nothing.
  return t.replace(/[$#][a-z][a-z0-9.]*/g, ' ');
};

/** Scores one text (headline, post, tweet). */
export const scoreText = (text: string): TextScore => {
  const result = engine.analyze(prepare(text), { language: LANGUAGE });
  return { score: result.words.length === 0 ? 0 : Math.tanh(result.score / SCALE), hits: result.words.length };
};

/** Common words that are also tickers: as bare words they never make a text about the symbol. */
const AMBIGUOUS = new Set([
  'A',
  'ALL',
  'AM',
  'AN',
  'ANY',
  'ARE',
  'BE',
  'BIG',
  'CAN',
  'CEO',
  'DD',
  'EDIT',
  'FOR',
  'GO',
  'HAS',
  'HE',
  'IT',
  'KEY',
  'LOW',
  'MAN',
  'NEW',
  'NOW',
  'ON',
  'ONE',
  'OR',
  'OUT',
  'PM',
  'RUN',
  'SEE',
  'SO',
  'TV',
  'TWO',
  'UP',
  'YOU',
  'USA',
  'IPO',
  'ATH',
  'EPS',
  'GDP',
  'CPI',
  'FED',
  'SEC',
  'ETF',
  'YOLO',
  'FOMO',
  'EV',
  'AI',
]);

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * How much a text is about `symbol`, 0..1: a cashtag ($AAPL) or, for unambiguous tickers, the bare
 * upper-case ticker counts; the weight is shared among all cashtags in the text, so a post listing
 * ten tickers says little about each. `names` (e.g. "Apple") count like the bare ticker.
 */
export const relevance = (text: string, symbol: string, names: readonly string[] = []): number => {
  const sym = symbol.toUpperCase();
  const cashtags = new Set(
    [...text.matchAll(/\$([A-Za-z][A-Za-z0-9.]{0,9})\b/g)].map((m) => (m[1] ?? '').toUpperCase()),
  );
  const tagged = cashtags.has(sym);
  const bare =
    !AMBIGUOUS.has(sym) && sym.length >= 2 && new RegExp(`(^|[^A-Za-z0-9$])${escape(sym)}([^A-Za-z0-9]|$)`).test(text);
  const named = names.some((n) => n.length >= 3 && new RegExp(`\\b${escape(n)}\\b`, 'i').test(text));
  if (!tagged && !bare && !named) return 0;
  const others = [...cashtags].filter((t) => t !== sym).length;
  return 1 / (1 + others);
};
