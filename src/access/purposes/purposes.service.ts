import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { PurposeEntity } from './purpose.entity';

/** The purposes catalogue. Read for every decision, so kept briefly in memory. */
@Injectable()
export class PurposesService {
  private cache?: { at: number; purposes: Promise<PurposeEntity[]> };

  constructor(@InjectRepository(PurposeEntity) private readonly purposes: Repository<PurposeEntity>) {}

  list(): Promise<PurposeEntity[]> {
    return this.purposes.find({ order: { code: 'ASC' } });
  }

  /** Active purpose codes. Cached for 30 s: the catalogue changes by migration, not at run time. */
  async activeCodes(): Promise<string[]> {
    const now = Date.now();
    if (!this.cache || now - this.cache.at > 30_000) {
      const purposes = this.purposes.find({ where: { active: true } });
      this.cache = { at: now, purposes };
      purposes.catch(() => (this.cache = undefined));
    }
    return (await this.cache.purposes).map((p) => p.code);
  }
}
