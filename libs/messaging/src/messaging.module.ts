import { Module, type DynamicModule } from '@nestjs/common';

import { JetStreamConnection, type JetStreamConnectionOptions } from './jetstream-connection.js';
import { natsClientOptions } from './nats-client-options.js';

/** Provides the process's one JetStreamConnection: opened (streams provisioned) on init, drained on shutdown. */
@Module({})
export class MessagingModule {
  /**
   * The NATS user and TLS files (PULSE_NATS_*) are read here, before Nest starts, so a bad one
   * stops the service with a ConfigError (exit 78) naming its variable.
   */
  static forRoot(options: JetStreamConnectionOptions): DynamicModule {
    const resolved = { ...options, client: options.client ?? natsClientOptions(process.env, options.servers) };
    return {
      module: MessagingModule,
      global: true,
      providers: [{ provide: JetStreamConnection, useFactory: () => new JetStreamConnection(resolved) }],
      exports: [JetStreamConnection],
    };
  }
}
