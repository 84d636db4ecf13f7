import { z } from 'zod';

/**
 * FINRA "Regulation SHO Daily Short Sale Volume File Layout" (in effect since 2011-02-28): a
 * pipe-delimited text file whose first row names the columns
 * `Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market` and, per the layout, whose last row
 * is a trailer holding the record count (current files often end without one). One row per symbol.
 */
export const SHORT_VOLUME_COLUMNS = [
  'Date',
  'Symbol',
  'ShortVolume',
  'ShortExemptVolume',
  'TotalVolume',
  'Market',
] as const;
export type ShortVolumeColumn = (typeof SHORT_VOLUME_COLUMNS)[number];

/** The header row: every column we read must be there (any order; extra columns are allowed). */
export const ShortVolumeHeaderSchema = z.array(z.string()).superRefine((names, ctx) => {
  for (const column of SHORT_VOLUME_COLUMNS) {
    if (!names.includes(column)) ctx.addIssue({ code: 'custom', message: `missing column '${column}'` });
  }
});

/**
 * Share volumes. The layout says "numeric value, no decimals"; decimals are accepted anyway because
 * the consolidated tape began carrying fractional trade sizes (reported to the TRFs) in 2026.
 */
const volume = z
  .string()
  .regex(/^\d+(\.\d+)?$/, { error: 'expected a non-negative share volume' })
  .transform(Number);

/** One data row, keyed by column name. */
export const ShortVolumeRowSchema = z.object({
  /** Trade date, YYYYMMDD. */
  Date: z.string().regex(/^\d{8}$/, { error: 'expected a YYYYMMDD date' }),
  /** Up to 14 characters in the layout. */
  Symbol: z.string().min(1).max(14),
  /** Short sale plus short sale exempt volume, regular trading hours. */
  ShortVolume: volume,
  /** The short sale exempt part of ShortVolume. */
  ShortExemptVolume: volume,
  /** All executed trades reported to the facility, regular trading hours. */
  TotalVolume: volume,
  /** Reporting facility code(s): Q, N, B (Nasdaq TRFs, NYSE TRF), D (ADF); the consolidated file lists several. */
  Market: z.string(),
});
export type ShortVolumeRow = z.output<typeof ShortVolumeRowSchema>;

/** The trailer row: only the record count. */
export const TRAILER_PATTERN = /^\d+$/;

/** What an earlier dark_pool reading keeps in `detail` that the norm is rebuilt from. */
export const StoredDarkPoolDetailSchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  short_ratio: z.number().min(0).max(1),
});
