import { Role } from '../engine/principal';

/**
 * Roles that may ask the single view at all; what each sees is then the decision point's. The DPO and
 * administrators hold no agreement that releases personal data, so they are refused up front.
 */
export const SINGLE_VIEW_ROLES = [Role.AccountManager, Role.Caseworker, Role.PartnerAgency, Role.DataSteward];
