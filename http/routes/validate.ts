import type { z } from 'zod';

/**
 * Parses request input; a failure throws the ZodError, which the error handler turns into
 * 400 validation_error with the issues.
 */
export const validate = <S extends z.ZodType>(schema: S, input: unknown): z.infer<S> => schema.parse(input);
