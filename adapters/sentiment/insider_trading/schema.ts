import { z } from 'zod';

/**
 * A Form 4 ownership document (EDGAR Ownership XML Technical Specification, schema X0508 and
 * earlier) after fast-xml-parser: leaf values are strings, attributes are `@_name`, text beside
 * attributes is `#text`, and the repeatable elements we read are always arrays (see FORM4_ARRAY_TAGS).
 * An element without content parses as `''`. Extra elements are allowed; the ones we read are checked.
 */

/** Elements that may repeat and are parsed as arrays even when they occur once. */
export const FORM4_ARRAY_TAGS: ReadonlySet<string> = new Set([
  'reportingOwner',
  'nonDerivativeTransaction',
  'footnote',
  'footnoteId',
]);

const Empty = z.literal('');

/** `1`/`true` and `0`/`false` (both spellings occur); an empty element is false. */
const Flag = z
  .string()
  .regex(/^(1|0|true|false|)$/i, 'expected 1, 0, true or false')
  .transform((v) => v === '1' || v.toLowerCase() === 'true');

export const FootnoteIdsSchema = z.array(z.object({ '@_id': z.string() }));

/** `<x><value>..</value><footnoteId id=".."/></x>`; either part may be missing. */
const ValueSchema = z.union([
  Empty.transform(() => ({ value: undefined, footnoteId: undefined })),
  z.object({ value: z.string().optional(), footnoteId: FootnoteIdsSchema.optional() }),
]);

export const RelationshipSchema = z.union([
  Empty.transform(() => ({})),
  z.object({
    isDirector: Flag.optional(),
    isOfficer: Flag.optional(),
    isTenPercentOwner: Flag.optional(),
    isOther: Flag.optional(),
    officerTitle: z.string().optional(),
  }),
]);
export type Relationship = z.output<typeof RelationshipSchema>;

const ReportingOwnerSchema = z.object({
  reportingOwnerId: z.object({ rptOwnerCik: z.string(), rptOwnerName: z.string() }),
  reportingOwnerRelationship: RelationshipSchema,
});

/**
 * Loose (unknown elements kept, at every level we name): the footnote references anywhere inside a
 * transaction, e.g. on `transactionCoding`, are collected from the parsed object.
 */
export const TransactionSchema = z.looseObject({
  transactionCoding: z.looseObject({ transactionCode: z.string().min(1) }),
  transactionAmounts: z.looseObject({
    transactionShares: ValueSchema,
    transactionPricePerShare: ValueSchema.optional(),
    transactionAcquiredDisposedCode: ValueSchema,
  }),
});
export type Transaction = z.output<typeof TransactionSchema>;

const FootnoteSchema = z.union([
  z.object({ '@_id': z.string(), '#text': z.string().optional() }),
  // A footnote without an id cannot be referenced; kept so it does not fail the document.
  z.string(),
]);

export const OwnershipDocumentSchema = z.object({
  ownershipDocument: z.object({
    documentType: z.string(),
    issuer: z.object({ issuerCik: z.string().regex(/^\d+$/, 'expected a CIK') }),
    reportingOwner: z.array(ReportingOwnerSchema).min(1),
    /** The Rule 10b5-1(c) checkbox, on forms filed since April 2023; absent on older ones. */
    aff10b5One: Flag.optional(),
    nonDerivativeTable: z
      .union([Empty, z.object({ nonDerivativeTransaction: z.array(TransactionSchema).optional() })])
      .optional(),
    footnotes: z.union([Empty, z.object({ footnote: z.array(FootnoteSchema) })]).optional(),
  }),
});
export type OwnershipDocument = z.output<typeof OwnershipDocumentSchema>['ownershipDocument'];
