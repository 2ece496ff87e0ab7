/** The roles a principal can hold (claim `roles`). */
export enum Role {
  AccountManager = 'account-manager',
  Caseworker = 'caseworker',
  PartnerAgency = 'partner-agency',
  DataSteward = 'data-steward',
  Dpo = 'dpo',
  Admin = 'admin',
  /** Registration and contact-centre staff who report life events (Tell Us Once); council only. */
  Registrar = 'registrar',
}

/** Who is asking, as proven by a verified bearer token. */
export interface Principal {
  /** `sub`: a user id, or a client id for a partner's machine token. */
  subject: string;
  /** Organisation id (by the issuer's claim rules, or the one organisation its entry names). */
  organisation: string;
  roles: Role[];
  team?: string;
  /** OAuth client (`azp` / `client_id`), when the token says. */
  client?: string;
  /** `jti`, for audit. */
  tokenId?: string;
  /** The identity provider that vouched for this principal (`iss`), for audit; absent for the hub's own jobs. */
  issuer?: string;
  /** The `kid` of the key that signed the token, for audit. */
  keyId?: string;
}
