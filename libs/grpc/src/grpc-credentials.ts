import { loadClientTls, loadServerTls, type ClientTlsMaterial, type ServerTlsMaterial } from '@pulse/config';

import { ChannelCredentials, credentials, ServerCredentials } from '@grpc/grpc-js';

/**
 * gRPC server credentials from PULSE_TLS_CERT_FILE/KEY (and PULSE_TLS_CLIENT_CA_FILE: client
 * certificates required), or insecure when unset. Throws ConfigError for bad settings.
 */
export function serverCredentials(tls: ServerTlsMaterial | undefined = loadServerTls()): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    tls.clientCa ?? null,
    [{ cert_chain: tls.cert, private_key: tls.key }],
    tls.clientCa !== undefined,
  );
}

/**
 * Channel credentials for calling a Pulse gRPC endpoint: TLS with PULSE_TLS_CA_FILE as the trust
 * anchor (and this process's own PULSE_TLS_CERT_FILE/KEY as client certificate), or insecure when
 * no CA is set. Throws ConfigError for bad settings.
 */
export function channelCredentials(tls: ClientTlsMaterial | undefined = loadClientTls()): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(tls.ca, tls.key ?? null, tls.cert ?? null);
}
