import type { MomentumConfig } from './momentum.config.js';

/** The indicator readings one momentum decision is made from (all finite after warm-up). */
export interface MomentumReading {
  readonly close: number;
  readonly rsi: number;
  readonly macd: number;
  readonly signal: number;
  readonly histogram: number;
  readonly previousHistogram: number;
  readonly roc: number;
  readonly volumeRatio: number;
}

/**
 * One side's tally. Points are kept in integer tenths so that 0.1 + 0.2 compares equal to 0.3; the
 * per-indicator points say which conditions scored (0 = not met), so the reason text is only built
 * when a signal needs it.
 */
export interface SideScore {
  readonly tenths: number;
  readonly conditions: number;
  readonly rsiTenths: number;
  readonly macdTenths: number;
  readonly rocTenths: number;
}

/**
 * Both sides scored by the SPEC section 3 point table. `bullTenths`/`bearTenths` include the volume
 * bonus, which goes to the side with more points only (neither on a tie) and is not a condition.
 * `setup` is the side that qualifies (>= 2 conditions and strictly more points), if any.
 */
export interface MomentumScore {
  readonly bull: SideScore;
  readonly bear: SideScore;
  readonly bullTenths: number;
  readonly bearTenths: number;
  readonly volumeBonus: 'bull' | 'bear' | 'none';
  readonly setup: 'BUY' | 'SELL' | undefined;
}

const RSI_BULL = [65, 85] as const;
const RSI_BEAR = [15, 35] as const;
const ROC_STRONG = 0.02;
const VOLUME_BONUS_TENTHS = 2;

function side(rsiTenths: number, macdTenths: number, rocTenths: number): SideScore {
  return {
    tenths: rsiTenths + macdTenths + rocTenths,
    conditions: conditions(rsiTenths, macdTenths, rocTenths),
    rsiTenths,
    macdTenths,
    rocTenths,
  };
}

// The point table, one function per condition and side, shared by `scoreMomentum` and `setupOf`.
const bullRsi = (r: MomentumReading): number => (r.rsi > RSI_BULL[0] && r.rsi < RSI_BULL[1] ? 3 : 0);
const bullMacd = (r: MomentumReading): number => (r.macd > r.signal ? (r.histogram > r.previousHistogram ? 3 : 2) : 0);
const bullRoc = (r: MomentumReading): number => (r.roc > ROC_STRONG ? 2 : r.roc > 0 ? 1 : 0);
const bearRsi = (r: MomentumReading): number => (r.rsi > RSI_BEAR[0] && r.rsi < RSI_BEAR[1] ? 3 : 0);
const bearMacd = (r: MomentumReading): number => (r.macd < r.signal ? (r.histogram < r.previousHistogram ? 3 : 2) : 0);
const bearRoc = (r: MomentumReading): number => (r.roc < -ROC_STRONG ? 2 : r.roc < 0 ? 1 : 0);
const conditions = (a: number, b: number, c: number): number => (a > 0 ? 1 : 0) + (b > 0 ? 1 : 0) + (c > 0 ? 1 : 0);

/** Which side the volume bonus goes to: the side with more points, when volume is loud. */
const bonusOf = (loud: boolean, bull: number, bear: number): MomentumScore['volumeBonus'] =>
  !loud || bull === bear ? 'none' : bull > bear ? 'bull' : 'bear';

/** The side that qualifies: >= 2 conditions and strictly more points (bonus included). */
const setupFrom = (
  bullConditions: number,
  bullTenths: number,
  bearConditions: number,
  bearTenths: number,
): MomentumScore['setup'] =>
  bullConditions >= 2 && bullTenths > bearTenths
    ? 'BUY'
    : bearConditions >= 2 && bearTenths > bullTenths
      ? 'SELL'
      : undefined;

/** Scores a reading; pure and deterministic. */
export function scoreMomentum(r: MomentumReading, config: MomentumConfig): MomentumScore {
  const bull = side(bullRsi(r), bullMacd(r), bullRoc(r));
  const bear = side(bearRsi(r), bearMacd(r), bearRoc(r));
  const volumeBonus = bonusOf(r.volumeRatio >= config.volume_ratio_threshold, bull.tenths, bear.tenths);
  const bullTenths = bull.tenths + (volumeBonus === 'bull' ? VOLUME_BONUS_TENTHS : 0);
  const bearTenths = bear.tenths + (volumeBonus === 'bear' ? VOLUME_BONUS_TENTHS : 0);
  const setup = setupFrom(bull.conditions, bullTenths, bear.conditions, bearTenths);
  return { bull, bear, bullTenths, bearTenths, volumeBonus, setup };
}

/**
 * `scoreMomentum(r, config).setup` without building the score: the hot path asks this first and
 * scores in full only when there is a setup (most bars have none).
 */
export function setupOf(r: MomentumReading, config: MomentumConfig): MomentumScore['setup'] {
  const bullR = bullRsi(r);
  const bullM = bullMacd(r);
  const bullO = bullRoc(r);
  const bearR = bearRsi(r);
  const bearM = bearMacd(r);
  const bearO = bearRoc(r);
  const bull = bullR + bullM + bullO;
  const bear = bearR + bearM + bearO;
  const bonus = bonusOf(r.volumeRatio >= config.volume_ratio_threshold, bull, bear);
  return setupFrom(
    conditions(bullR, bullM, bullO),
    bull + (bonus === 'bull' ? VOLUME_BONUS_TENTHS : 0),
    conditions(bearR, bearM, bearO),
    bear + (bonus === 'bear' ? VOLUME_BONUS_TENTHS : 0),
  );
}

/** confidence = min(0.95, 0.5 + points / 2), with points in tenths. */
export const confidenceOf = (tenths: number): number => Math.min(0.95, (10 + tenths) / 20);

const fmtPct = (roc: number): string => `${roc >= 0 ? '+' : ''}${(roc * 100).toFixed(1)} %`;

/** The human reason of one side: its scoring conditions, then the volume bonus if that side got it. */
export function describeSide(
  score: MomentumScore,
  which: 'bull' | 'bear',
  r: MomentumReading,
  config: MomentumConfig,
): string {
  const s = score[which];
  const band = which === 'bull' ? RSI_BULL : RSI_BEAR;
  const [above, turning] = which === 'bull' ? ['above', 'rising'] : ['below', 'falling'];
  const parts: string[] = [];
  if (s.rsiTenths > 0) parts.push(`RSI ${r.rsi.toFixed(1)} in (${band[0]},${band[1]})`);
  if (s.macdTenths === 3) parts.push(`MACD ${above} signal, histogram ${turning}`);
  if (s.macdTenths === 2) parts.push(`MACD ${above} signal`);
  if (s.rocTenths > 0) parts.push(`ROC ${fmtPct(r.roc)}`);
  if (score.volumeBonus === which) {
    parts.push(`volume ${r.volumeRatio.toFixed(2)}x its ${config.volume_period}-bar mean`);
  }
  return parts.join('; ');
}
