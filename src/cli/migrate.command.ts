import { Command, CommandRunner } from 'nest-commander';
import { withDataSource } from './cli-context';

@Command({ name: 'migrate', description: 'Apply pending database migrations and print what was applied' })
export class MigrateCommand extends CommandRunner {
  async run(): Promise<void> {
    await withDataSource(async (dataSource, runtime) => {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      const summary = { database: runtime.mode, applied: applied.map((m) => m.name) };
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
  }
}
