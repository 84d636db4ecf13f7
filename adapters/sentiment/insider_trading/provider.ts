import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ProviderError, asProviderError } from '../http/provider-error.js';
import {
  type Availability,
  type ProviderDeps,
  type ProviderReading,
  type SentimentProvider,
  clampUnit,
} from '../provider.js';
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
} from '../sec_filings/edgar.js';
import type { InsiderTradingConfig } from './config.js';
import {
  FORM4_ARRAY_TAGS,
  type OwnershipDocument,
  OwnershipDocumentSchema,
  type Relationship,
  type Transaction,
} from './schema.js';

/** A trade's weight halves every 14 days (measured back from the newest scored filing). */
export const INSIDER_HALF_LIFE_MS = 14 * DAY_MS;
/** Insiders sell for many reasons (taxes, diversification, a house) but buy for one. */
export const BUY_WEIGHT = 1;
export const SELL_WEIGHT = 0.4;
/** A trade under a Rule 10b5-1 plan was decided months earlier: it says little about today. */
export const PLAN_FACTOR = 0.25;
/** Sum of contributions that maps to tanh(1) = 0.76 (about one CEO buying $1M in the open market). */
export const SCORE_SCALE = 3;
/** New documents fetched per call (newest first, about 12 s at EDGAR's rate); the rest on the next poll. */
export const MAX_DOCUMENTS_PER_FETCH = 60;

export type InsiderRole = 'ceo_cfo' | 'officer' | 'director' | 'ten_percent_owner';

/** CEO and CFO trades carry the most information; 10 % owners (often funds) the least. */
export const ROLE_WEIGHTS: Readonly<Record<InsiderRole, number>> = {
  ceo_cfo: 1.5,
  officer: 1,
  director: 1,
  ten_percent_owner: 0.5,
};

const CEO_CFO =
  /\b(ceo|cfo|chief\s+executive(\s+officer)?|chief\s+financial(\s+officer)?|principal\s+(executive|financial)\s+officer)\b/i;

/** The role that counts for one reporting owner; undefined for "other" owners (not scored). */
export const roleOf = (relationship: Relationship): InsiderRole | undefined => {
  if ('isOfficer' in relationship && relationship.isOfficer)
    return CEO_CFO.test(relationship.officerTitle ?? '') ? 'ceo_cfo' : 'officer';
  if ('isDirector' in relationship && relationship.isDirector) return 'director';
  if ('isTenPercentOwner' in relationship && relationship.isTenPercentOwner) return 'ten_percent_owner';
  return undefined;
};

/** The XSL-rendered path (`xslF345X05/form4.xml`) without its renderer folder: the raw XML. */
export const rawOwnershipPath = (primaryDocument: string): string => primaryDocument.replace(/^xslF345X\d+\//i, '');

/** One open-market trade by an officer, director or 10 % owner. */
export interface InsiderTrade {
  readonly accession: string;
  /** When the filing became public, epoch ms. */
  readonly acceptedAt: number;
  readonly owner: string;
  readonly role: InsiderRole;
  readonly direction: 'buy' | 'sell';
  readonly shares: number;
  readonly valueUsd: number;
  /** Made under a Rule 10b5-1 trading plan. */
  readonly plan: boolean;
}

/** What one Form 4 gave. Only `missing` (a 404) is not cached: the document may appear later. */
export type Form4Outcome =
  | {
      readonly kind: 'parsed';
      readonly trades: readonly InsiderTrade[];
      /** Transactions other than P/S (grants, exercises, tax withholding, gifts) or by "other" owners. */
      readonly ignored: number;
      /** P/S without a usable price or share count. */
      readonly unpriced: number;
    }
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'unreadable'; readonly reason: string }
  | { readonly kind: 'other_issuer' }
  | { readonly kind: 'missing' };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && FORM4_ARRAY_TAGS.has(name),
});

const PLAN_MENTION = /10b5-1(?!\d)/i;
const PLAN_DENIED = /\bnot\b[^.]{0,60}10b5-1(?!\d)/i;

/** Footnote ids referenced anywhere inside `node`. */
const footnoteIdsIn = (node: unknown, into: Set<string> = new Set()): Set<string> => {
  if (Array.isArray(node)) for (const n of node) footnoteIdsIn(n, into);
  else if (typeof node === 'object' && node !== null)
    for (const [key, value] of Object.entries(node)) {
      if (key === 'footnoteId' && Array.isArray(value)) {
        for (const ref of value)
          if (typeof ref === 'object' && ref !== null && '@_id' in ref && typeof ref['@_id'] === 'string')
            into.add(ref['@_id']);
      } else footnoteIdsIn(value, into);
    }
  return into;
};

const footnoteTexts = (doc: OwnershipDocument): ReadonlyMap<string, string> => {
  const texts = new Map<string, string>();
  if (typeof doc.footnotes === 'object')
    for (const f of doc.footnotes.footnote) if (typeof f === 'object') texts.set(f['@_id'], f['#text'] ?? '');
  return texts;
};

const planFootnote = (tx: Transaction, texts: ReadonlyMap<string, string>): boolean =>
  [...footnoteIdsIn(tx)].some((id) => {
    const text = texts.get(id) ?? '';
    return PLAN_MENTION.test(text) && !PLAN_DENIED.test(text);
  });

const positiveNumber = (raw: string | undefined): number | undefined => {
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw.replaceAll(',', ''));
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

/**
 * The open-market trades of one Form 4. The 10b5-1 flag is the `aff10b5One` checkbox where the form
 * has it: checked, the trades whose footnotes cite a 10b5-1 plan are the plan trades (all of them when
 * no footnote says which); unchecked, none. Older forms without the checkbox: a footnote citing a
 * 10b5-1 plan (and not denying one) marks the trade.
 */
export const tradesOf = (
  doc: OwnershipDocument,
  filing: { readonly accession: string; readonly acceptedAt: number },
): Extract<Form4Outcome, { kind: 'parsed' }> => {
  let best: { readonly role: InsiderRole; readonly owner: string } | undefined;
  for (const owner of doc.reportingOwner) {
    const role = roleOf(owner.reportingOwnerRelationship);
    if (role !== undefined && (best === undefined || ROLE_WEIGHTS[role] > ROLE_WEIGHTS[best.role]))
      best = { role, owner: owner.reportingOwnerId.rptOwnerName };
  }
  const transactions =
    typeof doc.nonDerivativeTable === 'object' ? (doc.nonDerivativeTable.nonDerivativeTransaction ?? []) : [];
  const texts = footnoteTexts(doc);
  const openMarket = transactions.filter((tx) => ['P', 'S'].includes(tx.transactionCoding.transactionCode.trim()));
  const footnotedPlan = openMarket.map((tx) => planFootnote(tx, texts));
  const anyFootnotedPlan = footnotedPlan.some(Boolean);
  const trades: InsiderTrade[] = [];
  let unpriced = 0;
  openMarket.forEach((tx, i) => {
    if (best === undefined) return;
    const shares = positiveNumber(tx.transactionAmounts.transactionShares.value);
    const price = positiveNumber(tx.transactionAmounts.transactionPricePerShare?.value);
    if (shares === undefined || price === undefined) {
      unpriced++;
      return;
    }
    const footnoted = footnotedPlan[i] ?? false;
    const plan = doc.aff10b5One === undefined ? footnoted : doc.aff10b5One && (anyFootnotedPlan ? footnoted : true);
    trades.push({
      accession: filing.accession,
      acceptedAt: filing.acceptedAt,
      owner: best.owner,
      role: best.role,
      direction: tx.transactionCoding.transactionCode.trim() === 'P' ? 'buy' : 'sell',
      shares,
      valueUsd: shares * price,
      plan,
    });
  });
  const ignored = transactions.length - openMarket.length + (best === undefined ? openMarket.length : 0);
  return { kind: 'parsed', trades, ignored, unpriced: best === undefined ? 0 : unpriced };
};

/**
 * Parses one Form 4: `malformed` when the XML is not well formed (the parser alone would accept a
 * truncated document, hence the validator), `unreadable` when it is not an ownership document of the
 * expected shape, `other_issuer` when the company is the reporting owner rather than the issuer.
 */
export const readForm4 = (
  xml: string,
  filing: { readonly accession: string; readonly acceptedAt: number },
  issuerCik: number,
): Form4Outcome => {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { kind: 'malformed', reason: `${valid.err.msg} (line ${valid.err.line})` };
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch (err) {
    return { kind: 'malformed', reason: err instanceof Error ? err.message : String(err) };
  }
  const result = OwnershipDocumentSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    return {
      kind: 'unreadable',
      reason: issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'unexpected shape',
    };
  }
  const doc = result.data.ownershipDocument;
  if (Number(doc.issuer.issuerCik) !== issuerCik) return { kind: 'other_issuer' };
  return tradesOf(doc, filing);
};

/** Log-scaled dollar size: $10k -> 0.30, $100k -> 1.04, $1M -> 2.0, $10M -> 3.0. */
export const dollarSize = (usd: number): number => Math.log10(1 + Math.max(0, usd) / 10_000);

export interface InsiderScore {
  readonly score: number;
  readonly confidence: number;
  readonly contributions: readonly number[];
}

/**
 * Trades are grouped per filing, direction and plan flag (one order split into many fills counts
 * once, by its total dollar value). Each group contributes
 * `sign x (buy 1 | sell 0.4) x role weight x (plan 0.25 | 1) x log10(1 + $ / 10k) x 0.5^(age / 14 d)`,
 * age measured back from `asOf` (the newest scored filing). Score = tanh(sum / 3). Confidence grows
 * with the evidence (sum of |contribution|) and drops when buys and sales disagree.
 */
export const scoreInsiderTrades = (trades: readonly InsiderTrade[], asOf: number): InsiderScore => {
  const groups = new Map<string, { sign: number; weight: number; valueUsd: number; acceptedAt: number }>();
  for (const t of trades) {
    const key = `${t.accession}|${t.direction}|${t.plan}`;
    const weight =
      (t.direction === 'buy' ? BUY_WEIGHT : SELL_WEIGHT) * ROLE_WEIGHTS[t.role] * (t.plan ? PLAN_FACTOR : 1);
    const group = groups.get(key);
    if (group === undefined)
      groups.set(key, { sign: t.direction === 'buy' ? 1 : -1, weight, valueUsd: t.valueUsd, acceptedAt: t.acceptedAt });
    else {
      group.valueUsd += t.valueUsd;
      group.weight = Math.max(group.weight, weight);
    }
  }
  const contributions = [...groups.values()].map(
    (g) => g.sign * g.weight * dollarSize(g.valueUsd) * halfLifeWeight(asOf - g.acceptedAt, INSIDER_HALF_LIFE_MS),
  );
  const net = contributions.reduce((a, b) => a + b, 0);
  const evidence = contributions.reduce((a, b) => a + Math.abs(b), 0);
  const agreement = evidence > 0 ? Math.abs(net) / evidence : 0;
  const confidence = clampUnit((1 - Math.exp(-evidence / 1.5)) * (0.5 + 0.5 * agreement));
  return { score: Math.tanh(net / SCORE_SCALE), confidence, contributions };
};

/** Counts of what the lookback's Form 4s gave, for `detail`. */
export interface Form4Tally {
  readonly form4Filings: number;
  readonly parsedFilings: number;
  readonly malformedFilings: number;
  readonly unreadableFilings: number;
  readonly otherIssuerFilings: number;
  readonly missingDocuments: number;
  readonly pendingFilings: number;
  readonly ignoredTransactions: number;
  readonly unpricedTrades: number;
}

/** The reading for the lookback's trades, or undefined when there is none. */
export const insiderReading = (
  symbol: string,
  company: { readonly cik: number; readonly name: string },
  trades: readonly InsiderTrade[],
  tally: Form4Tally,
  lookbackDays: number,
): ProviderReading | undefined => {
  if (trades.length === 0) return undefined;
  const sourceTs = Math.max(...trades.map((t) => t.acceptedAt));
  const { score, confidence } = scoreInsiderTrades(trades, sourceTs);
  const sum = (direction: 'buy' | 'sell') =>
    Math.round(trades.filter((t) => t.direction === direction).reduce((a, t) => a + t.valueUsd, 0));
  return {
    source: 'insider_trading',
    symbol,
    score: round3(score),
    confidence: round3(confidence),
    mentions: trades.length,
    sourceTs,
    detail: {
      cik: company.cik,
      company: company.name,
      lookbackDays,
      buys: trades.filter((t) => t.direction === 'buy').length,
      sales: trades.filter((t) => t.direction === 'sell').length,
      buyValueUsd: sum('buy'),
      saleValueUsd: sum('sell'),
      planTrades: trades.filter((t) => t.plan).length,
      insiders: [...new Set(trades.map((t) => t.owner))].length,
      ...tally,
    },
  };
};

/**
 * Insider trading: the issuer's Form 4s of the lookback from the submissions API, each ownership XML
 * fetched once (cached by accession number) and its open-market buys (P) and sales (S) by officers,
 * directors and 10 % owners scored. A Form 4 whose XML is malformed is skipped and counted. One
 * reading when a newer trade appears; none when there is no trade or nothing new.
 */
export const createInsiderTradingProvider = (config: InsiderTradingConfig, deps: ProviderDeps): SentimentProvider => {
  declareEdgarLimits(deps.http, config);
  const edgar = createEdgarClient('insider_trading', config, deps);
  const lookbackMs = config.lookbackDays * DAY_MS;
  const gate = createReadingGate('insider_trading', deps.history, deps.now, lookbackMs);
  const cache = new Map<string, { readonly acceptedAt: number; readonly outcome: Form4Outcome }>();
  const availability = (): Availability =>
    edgarAvailability(config.enabled, 'INSIDER_TRADING_ENABLED', config.userAgent);

  const load = async (cik: number, filing: Filing): Promise<Form4Outcome> => {
    const path = rawOwnershipPath(filing.primaryDocument);
    if (!/\.xml$/i.test(path)) return { kind: 'unreadable', reason: `'${path}' is not an XML document` };
    let xml: string;
    try {
      xml = await edgar.document(cik, filing.accessionNumber, path);
    } catch (err) {
      // A document missing now (404) may be there later; every other failure fails the reading.
      if (err instanceof ProviderError && err.kind === 'http' && err.details.status === 404) return { kind: 'missing' };
      throw err;
    }
    return readForm4(xml, { accession: filing.accessionNumber, acceptedAt: filing.acceptedAt }, cik);
  };

  return {
    name: 'insider_trading',
    intervalMs: config.intervalMs,
    availability,
    fetch: async (symbol) => {
      try {
        requireAvailable(availability());
        const cik = await edgar.cikOf(symbol);
        if (cik === undefined) return [];
        const { name, filings } = await edgar.submissions(cik);
        const from = deps.now() - lookbackMs;
        for (const [key, entry] of cache) if (entry.acceptedAt < from) cache.delete(key);
        // Form 4/A amendments restate the original's transactions: counting them would count twice.
        const form4s = filings.filter((f) => f.form === '4' && f.acceptedAt >= from);
        const keyOf = (f: Filing) => `${cik}:${f.accessionNumber}`;
        const uncached = form4s.filter((f) => !cache.has(keyOf(f)));
        const batch = uncached.slice(0, MAX_DOCUMENTS_PER_FETCH);
        const outcomes = new Map<string, Form4Outcome>();
        await Promise.all(
          batch.map(async (f) => {
            const outcome = await load(cik, f);
            outcomes.set(keyOf(f), outcome);
            if (outcome.kind !== 'missing') cache.set(keyOf(f), { acceptedAt: f.acceptedAt, outcome });
          }),
        );
        const counts = { parsed: 0, malformed: 0, unreadable: 0, other_issuer: 0, missing: 0 };
        const trades: InsiderTrade[] = [];
        let ignoredTransactions = 0;
        let unpricedTrades = 0;
        for (const f of form4s) {
          const outcome = cache.get(keyOf(f))?.outcome ?? outcomes.get(keyOf(f));
          if (outcome === undefined) continue;
          counts[outcome.kind]++;
          if (outcome.kind === 'parsed') {
            trades.push(...outcome.trades);
            ignoredTransactions += outcome.ignored;
            unpricedTrades += outcome.unpriced;
          }
        }
        // Every document well formed yet none readable: EDGAR changed the format, not one bad filing.
        if (counts.parsed === 0 && counts.unreadable > 0)
          throw new ProviderError(
            'schema',
            `none of ${counts.unreadable} Form 4 documents of CIK ${cik} has the expected ownership XML shape`,
          );
        const reading = insiderReading(
          symbol,
          { cik, name },
          trades,
          {
            form4Filings: form4s.length,
            parsedFilings: counts.parsed,
            malformedFilings: counts.malformed,
            unreadableFilings: counts.unreadable,
            otherIssuerFilings: counts.other_issuer,
            missingDocuments: counts.missing,
            pendingFilings: uncached.length - batch.length,
            ignoredTransactions,
            unpricedTrades,
          },
          config.lookbackDays,
        );
        if (reading === undefined || !(await gate.isNew(symbol, reading.sourceTs, reading.mentions))) return [];
        gate.mark(symbol, reading.sourceTs, reading.mentions);
        return [reading];
      } catch (err) {
        throw asProviderError(err);
      }
    },
  };
};
