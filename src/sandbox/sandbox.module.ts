import { Global, Injectable, Module } from '@nestjs/common';
import { SandboxSources } from '../sources/sandbox-sources';
import { ensureBorough } from './borough-files';
import { launchSandboxes } from './sandbox-launcher';
import { sandboxDefinitions } from './sandbox-registry';

/** The in-process sandboxes of every source module, on a generated borough. */
@Injectable()
export class InProcessSandboxes extends SandboxSources {
  ids(): string[] {
    return sandboxDefinitions.map((d) => d.id);
  }

  async launch(dir: string, borough: { households: number; seed: string }, log: (line: string) => void) {
    await ensureBorough(dir, borough, sandboxDefinitions, log);
    return launchSandboxes(sandboxDefinitions, { dir });
  }
}

/** Sandbox mode (SOURCES_SANDBOX): the source registry's SandboxSources. Imported by the AppModule only then. */
@Global()
@Module({
  providers: [{ provide: SandboxSources, useClass: InProcessSandboxes }],
  exports: [SandboxSources],
})
export class SandboxModule {}
