import { Module, type DynamicModule } from '@nestjs/common';

import { JetStreamConnection, type JetStreamConnectionOptions } from './jetstream-connection.js';

/** Provides the process's one JetStreamConnection: opened (streams provisioned) on init, drained on shutdown. */
@Module({})
export class MessagingModule {
  static forRoot(options: JetStreamConnectionOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [{ provide: JetStreamConnection, useFactory: () => new JetStreamConnection(options) }],
      exports: [JetStreamConnection],
    };
  }
}
