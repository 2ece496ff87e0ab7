import { Global, Module } from '@nestjs/common';
import { HubKeyService } from './hub-key.service';

@Global()
@Module({ providers: [HubKeyService], exports: [HubKeyService] })
export class KeysModule {}
