#!/usr/bin/env bash
#
# A throw-away certificate authority for local TLS (the cluster profile and the tests), made
# with openssl. Never use it in production: its private key sits next to the certificates.
#
#   scripts/gen-test-ca.sh [DIR]      default: .run/tls (relative paths are against the repo root)
#
# Writes, once (an existing, still valid set is kept; delete DIR to start over):
#   DIR/ca.pem  DIR/ca.key                       the CA (EC P-256, 825 days)
#   DIR/server.pem  DIR/server.key               server certificate for localhost, 127.0.0.1,
#                                                127.0.0.2, 127.0.0.3 and ::1 (serverAuth+clientAuth,
#                                                so a server can also present it to a peer)
#   DIR/client.pem  DIR/client.key               client certificate, CN=pulse (clientAuth)
#   DIR/server.p12  DIR/truststore.p12           PKCS#12 key store / trust store for Java (Cassandra)
#   DIR/store-password                           the password of both PKCS#12 files
# Extra server names: PULSE_TLS_EXTRA_SANS="DNS:pulse.local,IP:10.0.0.5" (comma-separated).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
dir=${1:-.run/tls}
[[ $dir == /* ]] || dir=$REPO_ROOT/$dir

command -v openssl >/dev/null || {
  echo "gen-test-ca: openssl is required (apt-get install openssl)" >&2
  exit 1
}

valid_for_a_day() { [[ -s $1 ]] && openssl x509 -checkend 86400 -noout -in "$1" >/dev/null 2>&1; }

if valid_for_a_day "$dir/ca.pem" && valid_for_a_day "$dir/server.pem" && valid_for_a_day "$dir/client.pem" &&
  [[ -s $dir/server.p12 && -s $dir/truststore.p12 && -s $dir/store-password ]]; then
  echo "gen-test-ca: $dir already holds a valid test CA"
  exit 0
fi

mkdir -p "$dir"
chmod 700 "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
umask 077

sans="DNS:localhost,IP:127.0.0.1,IP:127.0.0.2,IP:127.0.0.3,IP:::1${PULSE_TLS_EXTRA_SANS:+,$PULSE_TLS_EXTRA_SANS}"

openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ca.key"
openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days 825 -subj "/O=Pulse/CN=Pulse local test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$tmp/ca.pem" 2>/dev/null

# issue NAME SUBJECT EXTENSIONS
issue() {
  local name=$1 subject=$2 ext=$3
  openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/$name.key"
  openssl req -new -key "$tmp/$name.key" -subj "$subject" -out "$tmp/$name.csr" 2>/dev/null
  printf '%b' "$ext" >"$tmp/$name.ext"
  openssl x509 -req -in "$tmp/$name.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
    -days 825 -sha256 -extfile "$tmp/$name.ext" -out "$tmp/$name.pem" 2>/dev/null
}

issue server "/O=Pulse/CN=localhost" \
  "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=$sans\n"
issue client "/O=Pulse/CN=pulse" \
  "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"

password=$(openssl rand -hex 16)
printf '%s' "$password" >"$tmp/store-password"
openssl pkcs12 -export -name server -in "$tmp/server.pem" -inkey "$tmp/server.key" -certfile "$tmp/ca.pem" \
  -passout "pass:$password" -out "$tmp/server.p12"
if command -v keytool >/dev/null; then
  # A trust store Java reads as trusted certificate entries (openssl's PKCS#12 lacks that mark).
  keytool -importcert -noprompt -alias pulse-test-ca -file "$tmp/ca.pem" -storetype PKCS12 \
    -keystore "$tmp/truststore.p12" -storepass "$password" >/dev/null 2>&1
else
  openssl pkcs12 -export -nokeys -in "$tmp/ca.pem" -passout "pass:$password" -out "$tmp/truststore.p12"
fi

for f in ca.pem ca.key server.pem server.key client.pem client.key server.p12 truststore.p12 store-password; do
  mv -f "$tmp/$f" "$dir/$f"
done
chmod 644 "$dir/ca.pem" "$dir/server.pem" "$dir/client.pem"
echo "gen-test-ca: wrote a test CA and certificates to $dir"
