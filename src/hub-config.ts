import { accessSettings } from './access/access-settings';
import { disclosureSettings } from './access/disclosure/disclosure-settings';
import { auditSettings } from './audit/audit-config';
import { authSettings } from './auth/auth-settings';
import { AppConfig, loadEnvironment, SettingsSection } from './config/config';
import { consoleSettings } from './console/console-settings';
import { lifeEventDeliverySettings } from './life-events/delivery/delivery-settings';
import { observabilitySettings } from './metrics/observability-settings';
import { rateLimitSettings } from './rate-limit/rate-limit-settings';
import { singleViewSettings } from './single-view/single-view-settings';
import { sourcesSettings } from './sources/sources-settings';

/**
 * Every domain's settings section, in the order their variables are checked (the first bad one is
 * reported). A domain with settings of its own adds its section here; config/ itself names no domain.
 */
export const hubSettings: readonly SettingsSection[] = [
  disclosureSettings,
  rateLimitSettings,
  authSettings,
  accessSettings,
  auditSettings,
  sourcesSettings,
  consoleSettings,
  singleViewSettings,
  observabilitySettings,
  lifeEventDeliverySettings,
] as readonly SettingsSection[];

/** The hub's settings from the environment, validated once at start (see docs/configuration.md). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return loadEnvironment(env, hubSettings);
}
