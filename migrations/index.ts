import { Extensions1763800000000 } from './1763800000000-extensions';
import { RateLimit1763800100000 } from './1763800100000-rate-limit';

/** Every migration, in order. A new migration is added here as well as in its own file. */
export const migrations = [Extensions1763800000000, RateLimit1763800100000];
