import { Module } from '@nestjs/common';
import { MigrateCommand } from './migrate.command';

/** Every `npm run cli -- <command>`; each command lives in its own file beside its domain or here. */
@Module({ providers: [MigrateCommand] })
export class CliModule {}
