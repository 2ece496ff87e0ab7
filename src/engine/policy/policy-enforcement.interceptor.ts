import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { from, lastValueFrom, Observable } from 'rxjs';
import { AuthException } from '../auth.exception';
import type { HubRequestContext } from '../request-context';
import { withheldByPolicy } from '../access.exception';
import { POLICY_METADATA, PolicyDeclaration } from './policy.decorator';
import { Decision, PolicySubject } from './decision';
import { SubjectDecisions } from './subject-decisions';
import { requestedFields } from './requested-fields';

type SubjectPolicy = Extract<PolicyDeclaration, { kind: 'subject' }>;

/**
 * Puts the decision point in front of every resolver declared `Policy.subject`: the access context is read
 * and checked, the protected fields the query selects are collected, the decision is taken and audited,
 * and the result is tagged with it so that the field policy releases or withholds each field. A subject
 * named by the arguments is decided before the resolver runs; a denial means the resolver never runs.
 */
@Injectable()
export class PolicyEnforcementInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly policy: SubjectDecisions,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== 'graphql') return next.handle();
    const declaration = this.reflector.getAllAndOverride<PolicyDeclaration | undefined>(POLICY_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (declaration?.kind !== 'subject') return next.handle();
    return from(this.enforce(declaration, GqlExecutionContext.create(context), next));
  }

  private async enforce(declaration: SubjectPolicy, gql: GqlExecutionContext, next: CallHandler): Promise<unknown> {
    const request = gql.getContext<HubRequestContext>();
    const { principal, requestId } = request;
    if (!principal) throw AuthException.unauthenticated('missing-token');
    const accessContext = await this.policy.contextFor(request);
    const fields = requestedFields(gql.getInfo<GraphQLResolveInfo>());
    const ask = (
      subjects: PolicySubject[],
      whileRecording?: (decisions: ReadonlyMap<string, Decision>) => Promise<unknown>,
    ) =>
      this.policy.decide(
        {
          principal,
          context: accessContext,
          subjects,
          fields,
          operation: declaration.operation,
          requestId,
          request,
        },
        whileRecording,
      );

    if ('fromArgs' in declaration.subject) {
      const subject = declaration.subject.fromArgs(gql.getArgs(), gql.getRoot());
      const decision = (await ask([subject])).get(subject.personId)!;
      if (decision.effect === 'deny') throw withheldByPolicy(decision);
      const result = await lastValueFrom(next.handle(), { defaultValue: null });
      request.subjectTags.tag(result, { subject, decision });
      return result;
    }

    const result = await lastValueFrom(next.handle(), { defaultValue: null });
    const items = (Array.isArray(result) ? result : [result]).filter((item) => item !== null && item !== undefined);
    if ('fromResultGroups' in declaration.subject) {
      const groupOf = declaration.subject.fromResultGroups;
      const groups = items.map((item) => groupOf(item)).filter((group) => group !== undefined);
      const members = groups.flatMap((group) => group.subjects);
      // All subjects of all groups in one call: one facts load, one decision (and audit event) each.
      const prepare = (decided: ReadonlyMap<string, Decision>) =>
        Promise.all(groups.map((group) => group.prepare?.(decided)));
      const decisions = members.length > 0 ? await ask(members, prepare) : new Map<string, Decision>();
      for (const group of groups) group.release(decisions, request.subjectTags);
      return result;
    }
    const fromResult = declaration.subject.fromResult;
    const subjects = new Map<unknown, PolicySubject>();
    for (const item of items) {
      const subject = fromResult(item);
      if (subject) subjects.set(item, subject);
    }
    if (subjects.size === 0) return result;
    const decisions = await ask([...subjects.values()]);
    // Items without a subject stay untagged: their protected fields are withheld by the field policy.
    for (const [item, subject] of subjects)
      request.subjectTags.tag(item, { subject, decision: decisions.get(subject.personId)! });
    return result;
  }
}
