import { z } from 'zod';

/**
 * EDGAR's JSON, as https://www.sec.gov/search-filings/edgar-application-programming-interfaces
 * describes it. Extra fields are allowed; the fields we read are checked.
 */

/** `https://www.sec.gov/files/company_tickers.json`: `{"0": {cik_str, ticker, title}, "1": ...}`. */
export const CompanyTickersSchema = z.record(
  z.string(),
  z.object({
    cik_str: z.number().int().positive(),
    ticker: z.string().min(1),
    title: z.string(),
  }),
);
export type CompanyTickers = z.output<typeof CompanyTickersSchema>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `filings.recent` of `https://data.sec.gov/submissions/CIK##########.json`: one array per column,
 * row i of every column describing the same filing (newest first). It holds at least the last year
 * or the last 1000 filings, which covers every window these providers look at.
 */
export const RecentFilingsSchema = z
  .object({
    accessionNumber: z.array(z.string().regex(/^\d{10}-\d{2}-\d{6}$/, 'expected an accession number')),
    filingDate: z.array(z.string().regex(DATE, 'expected YYYY-MM-DD')),
    /** `2026-05-14T16:42:10.000Z`, or empty on some old filings. */
    acceptanceDateTime: z.array(z.string()),
    form: z.array(z.string()),
    primaryDocument: z.array(z.string()),
    /** 8-K item numbers, comma-separated (`2.02,9.01`); empty for other forms. */
    items: z.array(z.string()),
  })
  .refine(
    (r) =>
      [r.filingDate, r.acceptanceDateTime, r.form, r.primaryDocument, r.items].every(
        (column) => column.length === r.accessionNumber.length,
      ),
    { message: 'the filings.recent columns differ in length' },
  );
export type RecentFilings = z.output<typeof RecentFilingsSchema>;

export const SubmissionsSchema = z.object({
  name: z.string(),
  filings: z.object({ recent: RecentFilingsSchema }),
});
export type Submissions = z.output<typeof SubmissionsSchema>;
