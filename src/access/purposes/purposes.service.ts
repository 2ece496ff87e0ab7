import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ReferenceFactsCache } from '../policy/reference-facts.cache';
import { PurposeEntity } from './purpose.entity';

/** The purposes catalogue. Read for every decision, so kept in the process's reference-facts cache. */
@Injectable()
export class PurposesService {
  constructor(
    @InjectRepository(PurposeEntity) private readonly purposes: Repository<PurposeEntity>,
    private readonly cache: ReferenceFactsCache,
  ) {}

  list(): Promise<PurposeEntity[]> {
    return this.purposes.find({ order: { code: 'ASC' } });
  }

  /** Active purpose codes. The catalogue changes by migration, not at run time; the cache's TTL covers that. */
  activeCodes(): Promise<readonly string[]> {
    return this.cache.get('purposes:active', async () =>
      Object.freeze((await this.purposes.find({ where: { active: true } })).map((p) => p.code)),
    );
  }
}
