import { QueryFailedError } from 'typeorm';
import { invalidRecord } from '../engine/access.exception';

/** Turns a foreign-key or check violation into a clear input error; anything else passes through. */
export async function asInputError<T>(work: () => Promise<T>, what: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
    if (code === '23503') throw invalidRecord(`${what}: it names an unknown purpose or organisation`);
    if (code === '23514' || code === '22P02') throw invalidRecord(`${what}: a value is out of range or malformed`);
    throw error;
  }
}
