/** The roles a principal can hold (claim `roles`). */
export enum Role {
  AccountManager = 'account-manager',
  Caseworker = 'caseworker',
  PartnerAgency = 'partner-agency',
  DataSteward = 'data-steward',
  Dpo = 'dpo',
  Admin = 'admin',
}

/** Who is asking, as proven by a verified bearer token. */
export interface Principal {
  /** `sub`: a user id, or a client id for a partner's machine token. */
  subject: string;
  /** Organisation id (`org` claim): the council itself or a partner agency. */
  organisation: string;
  roles: Role[];
  team?: string;
  /** OAuth client (`azp` / `client_id`), when the token says. */
  client?: string;
  /** `jti`, for audit. */
  tokenId?: string;
}
