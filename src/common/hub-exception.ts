/**
 * The base of every domain exception. Each domain declares its own subclass with a code enum; the codes
 * reach GraphQL clients as `extensions.code` (see graphql/graphql-errors.ts) and HTTP clients as the body.
 */
export abstract class HubException<Code extends string = string> extends Error {
  abstract readonly httpStatus: number;

  /** Headers an HTTP answer carries with the error (e.g. `Retry-After` of a 429); GraphQL plugins set their own. */
  get httpHeaders(): Record<string, string> | undefined {
    return undefined;
  }

  constructor(
    readonly code: Code,
    message: string,
    /** Safe, structured detail for the client (never values of personal data). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export enum InputErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
}

/** A request that is wrong as asked: a bad argument, an unknown id. */
export class InputException extends HubException<InputErrorCode> {
  get httpStatus(): number {
    return this.code === InputErrorCode.NOT_FOUND ? 404 : 400;
  }
}
