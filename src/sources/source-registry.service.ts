import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { join } from 'node:path';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { LaunchedSandboxSources, SandboxSources } from './sandbox-sources';
import { SourceAdapter } from './source-adapter';
import { createAdapter, knownAdapters } from './source-registry';
import { SourceErrorCode, SourceException } from './source-transport';
import { loadSourcesConfig, SourceConnection } from './sources-config';

/**
 * The adapters of the configured sources: those named in SOURCES_CONFIG (validated when the hub starts), or
 * the in-process sandboxes (started on first use, on a borough kept under HUB_DATA_DIR/sandbox).
 */
@Injectable()
export class SourceRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Sources');
  private connections?: SourceConnection[];
  private adaptersReady?: Promise<Map<string, SourceAdapter>>;
  private launched?: LaunchedSandboxSources;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    // Provided in sandbox mode only (SandboxModule): the production path never loads a sandbox.
    @Optional() private readonly sandboxes?: SandboxSources,
  ) {}

  onModuleInit(): void {
    if (this.config.sourcesConfigPath)
      this.connections = loadSourcesConfig(this.config.sourcesConfigPath, knownAdapters);
  }

  /** Source ids that are configured (without starting anything). */
  configuredIds(): string[] {
    if (this.connections) return this.connections.map((c) => c.id);
    return this.config.sources.sandbox ? (this.sandboxes?.ids() ?? []) : [];
  }

  adapters(): Promise<Map<string, SourceAdapter>> {
    this.adaptersReady ??= this.build().catch((error: unknown) => {
      this.adaptersReady = undefined;
      throw error;
    });
    return this.adaptersReady;
  }

  async adapter(id: string): Promise<SourceAdapter> {
    const adapter = (await this.adapters()).get(id);
    if (!adapter) {
      const known = this.configuredIds();
      throw new SourceException(
        SourceErrorCode.SOURCE_UNKNOWN,
        id,
        `no such source (configured: ${known.length ? known.join(', ') : 'none'})`,
      );
    }
    return adapter;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.launched?.close();
  }

  private async build(): Promise<Map<string, SourceAdapter>> {
    let connections = this.connections;
    if (!connections && this.config.sources.sandbox && this.sandboxes) {
      const dir = join(this.config.dataDir, 'sandbox');
      const { sandboxHouseholds: households, sandboxSeed: seed } = this.config.sources;
      this.launched = await this.sandboxes.launch(dir, { households, seed }, (line) => this.logger.log(line));
      this.logger.log(`sandbox sources running: ${this.launched.sandboxes.map((s) => `${s.id} ${s.url}`).join(', ')}`);
      connections = this.launched.connections;
    }
    return new Map((connections ?? []).map((c) => [c.id, createAdapter(c)]));
  }
}
