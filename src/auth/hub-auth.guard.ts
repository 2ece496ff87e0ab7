import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Response } from 'express';
import type { GraphQLResolveInfo } from 'graphql';
import { requestIdOf } from '../common/request-id';
import { POLICY_METADATA, PolicyDeclaration } from '../engine/policy/policy.decorator';
import { AuditRecorder } from '../engine/audit-recorder';
import { AuthErrorCode, AuthException } from '../engine/auth.exception';
import { HubRequestContext, principalOf } from '../engine/request-context';
import { Authenticator } from './authenticator.service';
import { requestOf } from '../engine/current-principal.decorator';
import { Principal } from '../engine/principal';

const rootTypes = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * The global guard (deny by default). Every resolver, field resolver and controller must declare a policy;
 * one without is refused. Anything not declared `@Public()` needs a verified principal; a token that is
 * presented is always verified, even on a public operation. Role lists are checked here; personal data is
 * then decided field by field by the policy decision point.
 */
@Injectable()
export class HubAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly audit: AuditRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const type = context.getType<string>();
    if (type !== 'graphql' && type !== 'http') return false;
    const policy = this.reflector.getAllAndOverride<PolicyDeclaration | undefined>(POLICY_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!policy) {
      throw new AuthException(
        AuthErrorCode.NO_POLICY,
        `${context.getClass().name}.${context.getHandler().name} declares no access policy and is refused`,
      );
    }
    const req = requestOf(context);
    const root =
      type === 'http' ||
      rootTypes.has(GqlExecutionContext.create(context).getInfo<GraphQLResolveInfo>().parentType.name);
    if (!root) {
      // Field resolvers run inside an operation whose root field has already authenticated.
      if (policy.kind === 'public') return true;
      if (!principalOf(req)) throw AuthException.unauthenticated('missing-token');
      return this.checkRoles(policy, principalOf(req)!, context);
    }
    if (policy.kind === 'public' && !req.headers.authorization) return true;
    const principal = await this.authenticator.authenticate(
      type === 'http'
        ? { req, res: context.switchToHttp().getResponse<Response>() }
        : GqlExecutionContext.create(context).getContext<HubRequestContext>(),
    );
    return this.checkRoles(policy, principal, context);
  }

  private async checkRoles(
    policy: PolicyDeclaration,
    principal: Principal,
    context: ExecutionContext,
  ): Promise<boolean> {
    const roles = policy.kind === 'roles' || policy.kind === 'subject' ? policy.roles : undefined;
    if (!roles || roles.some((role) => principal.roles.includes(role))) return true;
    const operation = `${context.getClass().name}.${context.getHandler().name}`;
    // A refusal is an access decision too; it is recorded before the caller hears of it (fail closed).
    await this.audit.record({
      actor: principal,
      operation: 'access.role-check',
      decision: 'deny',
      reasons: [`${operation} needs one of the roles ${roles.join(', ')}`],
      requestId: requestIdOf(requestOf(context)),
      detail: { operation },
    });
    throw new AuthException(AuthErrorCode.FORBIDDEN, `This operation needs one of the roles: ${roles.join(', ')}`);
  }
}
