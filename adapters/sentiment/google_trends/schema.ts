import { z } from 'zod';

/**
 * The unofficial Google Trends endpoints behind trends.google.com/trends/explore (undocumented; the
 * shapes are those the web page and public clients such as pytrends read). Both bodies start with an
 * anti-XSSI prefix, `)]}'` (explore) or `)]}',` (widget data), before the JSON.
 */

/** `/trends/api/explore`: one widget per chart; `TIMESERIES` is "Interest over time". */
export const ExploreWidgetSchema = z.object({
  id: z.string(),
  token: z.string().optional(),
  /** Opaque: sent back verbatim as `req` of the widget-data call. */
  request: z.record(z.string(), z.unknown()).optional(),
});

export const ExploreResponseSchema = z.object({ widgets: z.array(ExploreWidgetSchema) });

/** One point of `/trends/api/widgetdata/multiline`: `time` in Unix seconds, one value (0..100) per keyword. */
export const TimelinePointSchema = z.object({
  time: z.string().regex(/^\d+$/, 'expected Unix seconds'),
  value: z.array(z.number()).min(1),
  formattedTime: z.string().optional(),
  hasData: z.array(z.boolean()).optional(),
  /** Set on the latest, still incomplete, point. */
  isPartial: z.boolean().optional(),
});
export type TimelinePoint = z.output<typeof TimelinePointSchema>;

export const MultilineResponseSchema = z.object({
  default: z.object({ timelineData: z.array(TimelinePointSchema) }),
});
