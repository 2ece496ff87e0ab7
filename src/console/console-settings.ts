import { z } from 'zod';
import { defineSettings } from '../config/config';

/** The console's sign-in with the council's identity provider, and its session timeouts (docs/console.md). */
export interface ConsoleSettings {
  /** OpenID Connect sign-in; absent when not configured (then only personas, outside production). */
  oidc?: {
    /** The council's issuer: one of the issuer registry's entries, whose keys verify the access tokens. */
    issuer: string;
    clientId: string;
    /** For a confidential client; without it the console is a public client (PKCE only). */
    clientSecret?: string;
    /** The address of `/console/sign-in/callback` as the browser reaches the hub. */
    redirectUri: string;
    scope: string;
    /** The resource indicator (RFC 8707) that makes the provider issue access tokens for the hub. */
    resource?: string;
  };
  idleMinutes: number;
  absoluteHours: number;
  /**
   * The council's name, shown in the pages' header and footer (GOV.UK's generic header: the console is a
   * council's service, not one on GOV.UK, so it shows no crown). Absent: the service's name alone.
   */
  councilName?: string;
}

export const consoleEnvSchema = {
  CONSOLE_OIDC_ISSUER: z.string().url().optional(),
  CONSOLE_OIDC_CLIENT_ID: z.string().min(1).max(200).optional(),
  CONSOLE_OIDC_CLIENT_SECRET: z.string().min(1).max(500).optional(),
  CONSOLE_OIDC_REDIRECT_URI: z.string().url().optional(),
  CONSOLE_OIDC_SCOPE: z.string().min(6).max(500).default('openid profile'),
  CONSOLE_OIDC_RESOURCE: z.string().url().optional(),
  CONSOLE_IDLE_MINUTES: z.coerce.number().int().min(5).max(480).default(30),
  CONSOLE_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(24).default(10),
  CONSOLE_COUNCIL_NAME: z
    .string()
    .trim()
    .min(1)
    .max(80)
    .regex(/^[^\p{Cc}<>]+$/u, 'letters, digits, spaces and punctuation, without < or >')
    .optional(),
};

interface Values {
  NODE_ENV: string;
  CONSOLE_OIDC_ISSUER?: string;
  CONSOLE_OIDC_CLIENT_ID?: string;
  CONSOLE_OIDC_CLIENT_SECRET?: string;
  CONSOLE_OIDC_REDIRECT_URI?: string;
  CONSOLE_OIDC_SCOPE: string;
  CONSOLE_OIDC_RESOURCE?: string;
  CONSOLE_IDLE_MINUTES: number;
  CONSOLE_ABSOLUTE_HOURS: number;
  CONSOLE_COUNCIL_NAME?: string;
}

export function toConsoleSettings(values: Values, fail: (message: string) => never): ConsoleSettings {
  const oidcVars = ['CONSOLE_OIDC_ISSUER', 'CONSOLE_OIDC_CLIENT_ID', 'CONSOLE_OIDC_REDIRECT_URI'] as const;
  const given = oidcVars.filter((name) => values[name]);
  if (given.length > 0 && given.length < oidcVars.length)
    fail(
      `Invalid configuration: console sign-in needs ${oidcVars.join(', ')} together (missing ${oidcVars.filter((n) => !values[n]).join(', ')})`,
    );
  if (
    values.CONSOLE_OIDC_REDIRECT_URI &&
    values.NODE_ENV === 'production' &&
    !values.CONSOLE_OIDC_REDIRECT_URI.startsWith('https://')
  )
    fail('Invalid configuration: CONSOLE_OIDC_REDIRECT_URI must be https:// in production');
  if (
    values.CONSOLE_OIDC_REDIRECT_URI &&
    !new URL(values.CONSOLE_OIDC_REDIRECT_URI).pathname.endsWith('/console/sign-in/callback')
  )
    fail('Invalid configuration: CONSOLE_OIDC_REDIRECT_URI must be the address of /console/sign-in/callback');
  if (!values.CONSOLE_OIDC_SCOPE.split(' ').includes('openid'))
    fail('Invalid configuration: CONSOLE_OIDC_SCOPE must include openid');
  return {
    oidc:
      given.length === oidcVars.length
        ? {
            issuer: values.CONSOLE_OIDC_ISSUER!,
            clientId: values.CONSOLE_OIDC_CLIENT_ID!,
            clientSecret: values.CONSOLE_OIDC_CLIENT_SECRET,
            redirectUri: values.CONSOLE_OIDC_REDIRECT_URI!,
            scope: values.CONSOLE_OIDC_SCOPE,
            resource: values.CONSOLE_OIDC_RESOURCE,
          }
        : undefined,
    idleMinutes: values.CONSOLE_IDLE_MINUTES,
    absoluteHours: values.CONSOLE_ABSOLUTE_HOURS,
    councilName: values.CONSOLE_COUNCIL_NAME,
  };
}

declare module '../config/config' {
  interface AppConfig {
    /** The console: sign-in with the council's identity provider, session timeouts (see docs/console.md). */
    console: ConsoleSettings;
  }
}

/** This domain's settings section, registered where the hub is assembled (src/hub-config.ts). */
export const consoleSettings = defineSettings(consoleEnvSchema, (values, fail) => ({
  console: toConsoleSettings(values, fail),
}));
