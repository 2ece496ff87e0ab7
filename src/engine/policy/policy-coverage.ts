import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import {
  RESOLVER_NAME_METADATA,
  RESOLVER_PROPERTY_METADATA,
  RESOLVER_REFERENCE_METADATA,
  RESOLVER_TYPE_METADATA,
} from '@nestjs/graphql';
import { POLICY_METADATA, PolicyDeclaration } from './policy.decorator';

export interface HandlerPolicy {
  /** `Class.method` */
  handler: string;
  kind: 'resolver' | 'controller';
  policy?: PolicyDeclaration;
}

const resolverKeys = [
  RESOLVER_TYPE_METADATA,
  RESOLVER_NAME_METADATA,
  RESOLVER_PROPERTY_METADATA,
  RESOLVER_REFERENCE_METADATA,
];

/**
 * Every GraphQL resolver, field resolver, reference resolver and HTTP route handler in the application,
 * with the policy it declares (method first, then class), found from Nest's own metadata.
 */
export function listHandlerPolicies(modules: ModulesContainer): HandlerPolicy[] {
  const scanner = new MetadataScanner();
  const found = new Map<string, HandlerPolicy>();
  for (const module of modules.values()) {
    const wrappers = [...module.providers.values(), ...module.controllers.values()];
    for (const wrapper of wrappers) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      const isController = module.controllers.has(wrapper.token);
      for (const name of scanner.getAllMethodNames(prototype)) {
        const method = prototype[name] as object;
        const isResolver = resolverKeys.some((key) => Reflect.getMetadata(key, method) !== undefined);
        const isRoute = isController && Reflect.getMetadata(PATH_METADATA, method) !== undefined;
        if (!isResolver && !isRoute) continue;
        const handler = `${instance.constructor.name}.${name}`;
        const policy = (Reflect.getMetadata(POLICY_METADATA, method) ??
          Reflect.getMetadata(POLICY_METADATA, instance.constructor)) as PolicyDeclaration | undefined;
        found.set(handler, { handler, kind: isResolver ? 'resolver' : 'controller', ...(policy ? { policy } : {}) });
      }
    }
  }
  return [...found.values()].sort((a, b) => a.handler.localeCompare(b.handler));
}

/** Says at start which handlers declare no policy; the guard refuses them at run time regardless. */
@Injectable()
export class PolicyCoverageCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('PolicyCoverage');

  constructor(private readonly modules: ModulesContainer) {}

  onApplicationBootstrap(): void {
    const missing = listHandlerPolicies(this.modules).filter((h) => !h.policy);
    for (const handler of missing)
      this.logger.error(`${handler.handler} declares no access policy: every call to it is refused`);
  }
}
