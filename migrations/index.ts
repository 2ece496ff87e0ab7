import { Extensions1763800000000 } from './1763800000000-extensions';

/** Every migration, in order. A new migration is added here as well as in its own file. */
export const migrations = [Extensions1763800000000];
