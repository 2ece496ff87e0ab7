import type { SourceConnection } from './sources-config';

/** Sandbox source systems started in this process, and how to reach them. */
export interface LaunchedSandboxSources {
  sandboxes: { id: string; url: string }[];
  /** One connection per sandbox, as a sources configuration file would give them. */
  connections: SourceConnection[];
  close(): Promise<void>;
}

/**
 * The port through which the source registry starts the in-process sandboxes: provided only in sandbox mode
 * (src/sandbox/sandbox.module.ts, imported by the AppModule when SOURCES_SANDBOX is on), so the production
 * path never loads a sandbox.
 */
export abstract class SandboxSources {
  /** The ids of the sandbox sources, without starting anything. */
  abstract ids(): string[];

  /** Starts them on the borough kept in `dir` (generated on first use). */
  abstract launch(
    dir: string,
    borough: { households: number; seed: string },
    log: (line: string) => void,
  ): Promise<LaunchedSandboxSources>;
}
