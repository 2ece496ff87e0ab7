import { Module } from '@nestjs/common';
import { HubInfoResolver } from './hub-info.resolver';

@Module({ providers: [HubInfoResolver] })
export class HubInfoModule {}
