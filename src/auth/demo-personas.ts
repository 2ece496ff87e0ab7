import { DevTokenRequest } from './dev-token.service';
import { Role } from '../engine/principal';

/** The demo personas `npm start` prints tokens for; their organisations and teams match the demo seed. */
export const demoPersonas: { label: string; token: DevTokenRequest }[] = [
  {
    label: 'account manager',
    token: {
      subject: 'demo.account-manager',
      organisation: 'council',
      roles: [Role.AccountManager],
      team: 'early-help-north',
    },
  },
  {
    label: 'caseworker',
    token: { subject: 'demo.caseworker', organisation: 'council', roles: [Role.Caseworker], team: 'housing-options' },
  },
  {
    label: 'partner agency (NHS trust)',
    token: {
      subject: 'nhs-trust-safeguarding-client',
      organisation: 'nhs-trust',
      roles: [Role.PartnerAgency],
      client: 'nhs-trust-safeguarding-client',
    },
  },
  {
    label: 'data steward',
    token: { subject: 'demo.data-steward', organisation: 'council', roles: [Role.DataSteward] },
  },
  {
    label: 'registrar',
    token: { subject: 'demo.registrar', organisation: 'council', roles: [Role.Registrar], team: 'registration' },
  },
  { label: 'DPO', token: { subject: 'demo.dpo', organisation: 'council', roles: [Role.Dpo] } },
  { label: 'admin', token: { subject: 'demo.admin', organisation: 'council', roles: [Role.Admin] } },
];
