import { asProviderError } from '../http/provider-error.js';
import {
  type Availability,
  type ProviderDeps,
  type ProviderReading,
  type SentimentProvider,
  clampScore,
  clampUnit,
} from '../provider.js';
import type { SecFilingsConfig } from './config.js';
import {
  DAY_MS,
  type Filing,
  createEdgarClient,
  createReadingGate,
  declareEdgarLimits,
  edgarAvailability,
  halfLifeWeight,
  requireAvailable,
  round3,
} from './edgar.js';

/** Filings of the last 30 days are scored. */
export const FILINGS_WINDOW_MS = 30 * DAY_MS;
/** A filing's weight halves every 7 days (measured back from the newest filing). */
export const FILINGS_HALF_LIFE_MS = 7 * DAY_MS;

/**
 * 8-K items (Form 8-K General Instructions B) and what each tends to mean for the stock, -1..1.
 * Items whose direction cannot be read from the item number alone (results, Reg FD, other events,
 * votes) are 0: they count as mentions but move nothing. 9.01 (exhibits) rides along with the others.
 */
export const EIGHT_K_ITEM_SCORES: Readonly<Record<string, number>> = {
  '1.01': 0.3, // entry into a material definitive agreement
  '1.02': -0.3, // termination of a material definitive agreement
  '1.03': -1, // bankruptcy or receivership
  '1.04': -0.2, // mine safety: shutdowns, patterns of violations
  '1.05': -0.5, // material cybersecurity incident
  '2.01': 0.2, // completed acquisition or disposition of assets
  '2.02': 0, // results of operations: beat or miss is in the text, not the item
  '2.03': -0.1, // new direct financial obligation (debt)
  '2.04': -0.6, // triggering event accelerating an obligation (covenant breach, default)
  '2.05': -0.3, // exit or disposal costs (restructuring, layoffs)
  '2.06': -0.5, // material impairment
  '3.01': -0.8, // delisting notice or failure to meet a listing standard
  '3.02': -0.2, // unregistered sale of equity (dilution)
  '3.03': -0.1, // material modification of holders' rights
  '4.01': -0.3, // change of certifying accountant
  '4.02': -0.9, // non-reliance on earlier financial statements (restatement)
  '5.01': 0, // change in control: a premium or a rescue, unknown
  '5.02': -0.2, // departure (or appointment) of directors or officers
  '5.03': 0, // articles, bylaws, fiscal year
  '5.04': 0, // benefit-plan trading blackout
  '5.05': -0.1, // code-of-ethics amendment or waiver
  '5.06': 0, // change in shell company status
  '5.07': 0, // shareholder vote results
  '5.08': 0, // director nomination deadlines
  '7.01': 0, // Regulation FD disclosure
  '8.01': 0, // other events
  '9.01': 0, // financial statements and exhibits
};

/**
 * How a form is scored: `event` (8-K, summed), `late` (NT filings, summed), `offering` and `activist`
 * (only the strongest one counts: banks file 424B2 prospectuses daily, and amendments repeat a
 * stake), `periodic` (10-K/10-Q: neutral, but the company is in the news).
 */
export type FilingCategory = 'event' | 'periodic' | 'late' | 'offering' | 'activist';

export interface FilingClass {
  readonly category: FilingCategory;
  /** -1..1 before time weighting. */
  readonly score: number;
}

const PERIODIC = new Set(['10-K', '10-K/A', '10-Q', '10-Q/A', '10-KT', '20-F', '20-F/A', '40-F', '6-K']);
const LATE: Readonly<Record<string, number>> = { 'NT 10-K': -0.6, 'NT 10-Q': -0.5, 'NT 20-F': -0.5 };
const REGISTRATIONS = new Set(['S-1', 'S-1/A', 'S-3', 'S-3/A', 'S-3ASR', 'F-1', 'F-1/A', 'F-3', 'F-3/A']);
/** Shelf registrations and prospectuses: more shares coming (dilution). */
const OFFERING_SCORE = -0.2;
/** Schedule 13D (an activist stake of 5 % or more; EDGAR names it `SCHEDULE 13D` since December 2024). */
const ACTIVIST: Readonly<Record<string, number>> = {
  'SC 13D': 0.3,
  'SCHEDULE 13D': 0.3,
  'SC 13D/A': 0.1,
  'SCHEDULE 13D/A': 0.1,
};
/** An 8-K/A mostly completes an earlier 8-K (often its exhibits). */
const AMENDMENT_FACTOR = 0.5;

/** The 8-K's score: its items' scores summed, within -1..1. */
export const eightKScore = (items: readonly string[]): number =>
  clampScore(items.reduce((sum, item) => sum + (EIGHT_K_ITEM_SCORES[item] ?? 0), 0));

/** How a filing is scored, or undefined for forms this source ignores (Form 4, 13G, proxies ...). */
export const classifyFiling = (form: string, items: readonly string[]): FilingClass | undefined => {
  const f = form.trim().toUpperCase();
  if (f === '8-K') return { category: 'event', score: eightKScore(items) };
  if (f === '8-K/A') return { category: 'event', score: AMENDMENT_FACTOR * eightKScore(items) };
  if (PERIODIC.has(f)) return { category: 'periodic', score: 0 };
  const late = LATE[f];
  if (late !== undefined) return { category: 'late', score: late };
  if (REGISTRATIONS.has(f) || /^424B[1-8]$/.test(f)) return { category: 'offering', score: OFFERING_SCORE };
  const activist = ACTIVIST[f];
  if (activist !== undefined) return { category: 'activist', score: activist };
  return undefined;
};

export interface ClassifiedFiling {
  readonly filing: Filing;
  readonly class: FilingClass;
}

export interface FilingsScore {
  readonly score: number;
  readonly confidence: number;
  /** Weighted contribution per category. */
  readonly byCategory: Readonly<Record<FilingCategory, number>>;
}

/**
 * Each filing contributes `score x 0.5^(age / 7 d)`, age measured back from `asOf` (the newest
 * filing, so a reading depends only on the filings, not on when it was polled). Events and late
 * filings add up; offerings and activist filings count once (the strongest). The sum is clamped to
 * -1..1: one bankruptcy filing is -1 whatever routine filings surround it.
 *
 * Confidence grows with the signed evidence (sum of |contribution|) and a little with the number of
 * neutral filings (capped below the aggregator's 0.3 minimum, so a 10-Q alone never votes), and is
 * reduced when positive and negative filings cancel out.
 */
export const scoreFilings = (filings: readonly ClassifiedFiling[], asOf: number): FilingsScore => {
  const byCategory: Record<FilingCategory, number> = { event: 0, periodic: 0, late: 0, offering: 0, activist: 0 };
  let weightSum = 0;
  for (const { filing, class: c } of filings) {
    const weight = halfLifeWeight(asOf - filing.acceptedAt, FILINGS_HALF_LIFE_MS);
    weightSum += weight;
    const contribution = weight * c.score;
    if (c.category === 'offering' || c.category === 'activist') {
      if (Math.abs(contribution) > Math.abs(byCategory[c.category])) byCategory[c.category] = contribution;
    } else byCategory[c.category] += contribution;
  }
  const parts = Object.values(byCategory);
  const net = parts.reduce((a, b) => a + b, 0);
  const evidence = parts.reduce((a, b) => a + Math.abs(b), 0);
  const agreement = evidence > 0 ? Math.abs(net) / evidence : 1;
  const strength = 1 - Math.exp(-(2 * evidence + 0.15 * Math.min(weightSum, 2)));
  return { score: clampScore(net), confidence: clampUnit(strength * (0.5 + 0.5 * agreement)), byCategory };
};

/** The reading for the scored filings of the window (newest first), or undefined when there are none. */
export const filingsReading = (
  symbol: string,
  company: { readonly cik: number; readonly name: string },
  filings: readonly ClassifiedFiling[],
): ProviderReading | undefined => {
  const newest = filings.reduce<Filing | undefined>(
    (best, { filing }) => (best === undefined || filing.acceptedAt > best.acceptedAt ? filing : best),
    undefined,
  );
  if (newest === undefined) return undefined;
  const { score, confidence, byCategory } = scoreFilings(filings, newest.acceptedAt);
  const forms: Record<string, number> = {};
  const items: Record<string, number> = {};
  for (const { filing } of filings) {
    forms[filing.form] = (forms[filing.form] ?? 0) + 1;
    if (filing.form.startsWith('8-K')) for (const item of filing.items) items[item] = (items[item] ?? 0) + 1;
  }
  return {
    source: 'sec_filings',
    symbol,
    score: round3(score),
    confidence: round3(confidence),
    mentions: filings.length,
    sourceTs: newest.acceptedAt,
    detail: {
      cik: company.cik,
      company: company.name,
      newestForm: newest.form,
      newestAccession: newest.accessionNumber,
      forms,
      items,
      contributions: Object.fromEntries(Object.entries(byCategory).map(([k, v]) => [k, round3(v)])),
    },
  };
};

/**
 * SEC filings: the company's `filings.recent` from the submissions API, filings of the last 30 days
 * classified by form (and 8-K items) and time-weighted. One reading per new filing set; none when
 * nothing was filed in the window, when nothing was filed since the last reading, or when EDGAR
 * lists no such ticker.
 */
export const createSecFilingsProvider = (config: SecFilingsConfig, deps: ProviderDeps): SentimentProvider => {
  declareEdgarLimits(deps.http, config);
  const edgar = createEdgarClient('sec_filings', config, deps);
  const gate = createReadingGate('sec_filings', deps.history, deps.now, FILINGS_WINDOW_MS);
  const availability = (): Availability => edgarAvailability(config.enabled, 'SEC_FILINGS_ENABLED', config.userAgent);

  return {
    name: 'sec_filings',
    intervalMs: config.intervalMs,
    availability,
    fetch: async (symbol) => {
      try {
        requireAvailable(availability());
        const cik = await edgar.cikOf(symbol);
        if (cik === undefined) return [];
        const { name, filings } = await edgar.submissions(cik);
        const from = deps.now() - FILINGS_WINDOW_MS;
        const classified: ClassifiedFiling[] = [];
        for (const filing of filings) {
          if (filing.acceptedAt < from) continue;
          const c = classifyFiling(filing.form, filing.items);
          if (c !== undefined) classified.push({ filing, class: c });
        }
        const reading = filingsReading(symbol, { cik, name }, classified);
        if (reading === undefined || !(await gate.isNew(symbol, reading.sourceTs, reading.mentions))) return [];
        gate.mark(symbol, reading.sourceTs, reading.mentions);
        return [reading];
      } catch (err) {
        throw asProviderError(err);
      }
    },
  };
};
