import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { Authenticator } from './authenticator.service';
import { DevTokenIssuer } from './dev-token.service';
import { HubAuthGuard } from './hub-auth.guard';
import { HubJwtStrategy } from './hub-jwt.strategy';
import { TokenVerifier } from './token-verifier.service';
import { UnauthenticatedStatusPlugin } from './unauthenticated-status.plugin';

/**
 * Authentication: the passport strategy verifying bearer JWTs, the global guard (deny by default), the
 * 401 status for refused credentials, and the dev token issuer.
 *
 * Needs an `AuditRecorder` provider (the audit module's) for failed sign-ins and role refusals; nothing
 * here provides one, so the hub cannot start without an audit trail.
 */
@Module({
  imports: [PassportModule.register({ session: false })],
  providers: [
    TokenVerifier,
    HubJwtStrategy,
    Authenticator,
    DevTokenIssuer,
    UnauthenticatedStatusPlugin,
    { provide: APP_GUARD, useClass: HubAuthGuard },
  ],
  exports: [TokenVerifier, Authenticator, DevTokenIssuer],
})
export class AuthModule {}
