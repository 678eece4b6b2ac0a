#!/usr/bin/env bash
# Validates the Helm chart offline (issue 8): a pinned helm (built with `go install`, cached in
# .cache/bin), `helm lint --strict` and `helm template` for the default values, the production
# example, a single-service install and the web console, the policy check over every rendered manifest, schema
# rejections of invalid values, NATS users on/off and TLS (nats-no-auth, nats-tls), and
# docs/deploy.md covering every value.
# Rendered manifests land in .cache/helm-rendered/ (git-ignored). Exits non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELM_VERSION="v3.22.0"
KUBE_VERSION="1.31.0" # the Kubernetes version manifests are rendered (and checked) for
BIN="$ROOT/.cache/bin"
HELM="$BIN/helm"
CHART="$ROOT/helm/pulse"
OUT="$ROOT/.cache/helm-rendered"
TOOLS="$ROOT/helm/tools"

failures=0
step() { printf '\n== %s\n' "$*"; }
ok() { printf '  ok   %s\n' "$*"; }
bad() {
  printf '  FAIL %s\n' "$*"
  failures=$((failures + 1))
}

# --- pinned helm ------------------------------------------------------------------------------
helm_is_pinned() {
  [[ -x "$HELM" ]] && command -v go >/dev/null 2>&1 &&
    go version -m "$HELM" 2>/dev/null | grep -qE "^[[:space:]]+mod[[:space:]]+helm.sh/helm/v3[[:space:]]+${HELM_VERSION}([[:space:]]|$)"
}
step "helm $HELM_VERSION"
if [[ -x "$HELM" ]] && ! command -v go >/dev/null 2>&1; then
  ok "using cached $HELM (go not found, version not re-checked)"
elif helm_is_pinned; then
  ok "cached $HELM"
else
  if ! command -v go >/dev/null 2>&1; then
    echo "helm-check: 'go' is not installed; it is needed once to build helm $HELM_VERSION" >&2
    echo "  (install Go >= 1.24 from https://go.dev/dl/ or apt-get install golang-go, then re-run)" >&2
    exit 1
  fi
  echo "  building helm $HELM_VERSION with go install (a few minutes cold; cached in .cache/bin)"
  mkdir -p "$BIN"
  started=$(date +%s)
  GOBIN="$BIN" go install "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
  ok "built in $(($(date +%s) - started)) s"
fi

# --- prerequisites of the checks --------------------------------------------------------------
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "helm-check: python3 with PyYAML is required for the policy check (apt-get install python3-yaml)" >&2
  exit 1
fi
rm -rf "$OUT"
mkdir -p "$OUT"

step "values.schema.json is generated from helm/tools/values-schema.py"
if python3 "$TOOLS/values-schema.py" --check; then ok "schema up to date"; else bad "schema stale"; fi

step "policy check self-test (every rule can fail)"
if python3 "$TOOLS/policy-check.py" --self-test; then ok "self-test"; else bad "policy self-test"; fi

# --- lint, template, policy for each valid values set -----------------------------------------
# name → values file. "default" is values.yaml plus the one required value (apiKeys).
declare -A CASES=(
  [default]="$CHART/ci/default-values.yaml"
  [production]="$ROOT/deploy/values-production.yaml"
  [store-only]="$CHART/ci/store-only-values.yaml"
  [forecast-watch]="$CHART/ci/forecast-watch-values.yaml"
  [console]="$CHART/ci/console-values.yaml"
  [nats-no-auth]="$CHART/ci/nats-no-auth-values.yaml"
  [nats-tls]="$CHART/ci/nats-tls-values.yaml"
  [cassandra-no-auth]="$CHART/ci/cassandra-no-auth-values.yaml"
  [tls]="$CHART/ci/tls-values.yaml"
)
for name in default production store-only forecast-watch console nats-no-auth nats-tls cassandra-no-auth tls; do
  values="${CASES[$name]}"
  step "case $name (${values#"$ROOT"/})"
  if "$HELM" lint --strict --kube-version "$KUBE_VERSION" "$CHART" -f "$values" >"$OUT/$name.lint.txt" 2>&1; then
    ok "helm lint --strict"
  else
    cat "$OUT/$name.lint.txt"
    bad "helm lint --strict ($name)"
  fi
  if "$HELM" template pulse "$CHART" --namespace pulse --kube-version "$KUBE_VERSION" -f "$values" \
    >"$OUT/$name.yaml" 2>"$OUT/$name.err"; then
    ok "helm template → ${OUT#"$ROOT"/}/$name.yaml ($(grep -c '^kind:' "$OUT/$name.yaml") objects)"
  else
    cat "$OUT/$name.err"
    bad "helm template ($name)"
    continue
  fi
  if python3 "$TOOLS/policy-check.py" "$OUT/$name.yaml"; then ok "policy"; else bad "policy ($name)"; fi
done

step "each service alone (the other five disabled): template + policy"
SERVICES=(ingestGateway cleaner aggregator store forecast console)
for only in "${SERVICES[@]}"; do
  args=(--set apiKeys.existingSecret=pulse-api-keys --set "$only.enabled=true")
  for other in "${SERVICES[@]}"; do
    [[ "$other" == "$only" ]] || args+=(--set "$other.enabled=false")
  done
  if "$HELM" template pulse "$CHART" --namespace pulse --kube-version "$KUBE_VERSION" "${args[@]}" \
    >"$OUT/only-$only.yaml" 2>"$OUT/only-$only.err" &&
    python3 "$TOOLS/policy-check.py" "$OUT/only-$only.yaml" >"$OUT/only-$only.policy.txt"; then
    ok "only $only: $(grep -c '^kind:' "$OUT/only-$only.yaml") objects, policy ok"
  else
    cat "$OUT/only-$only.err" "$OUT/only-$only.policy.txt" 2>/dev/null || true
    bad "only $only"
  fi
done

step "case store-only renders only the store"
kinds=$(grep -A3 '^kind: \(Deployment\|StatefulSet\)' "$OUT/store-only.yaml" | grep -o 'name: pulse-[a-z-]*' | sort -u | tr '\n' ' ')
if [[ "$kinds" == "name: pulse-store " ]]; then ok "workloads: $kinds"; else bad "store-only renders workloads: $kinds"; fi

step "aggregator StatefulSet: ordinal → PULSE_AGGREGATOR_REPLICA_INDEX, replicas → PULSE_AGGREGATOR_REPLICAS"
if grep -q "fieldPath: metadata.labels\['apps.kubernetes.io/pod-index'\]" "$OUT/production.yaml" &&
  grep -q 'PULSE_AGGREGATOR_REPLICAS: "4"' "$OUT/production.yaml"; then
  ok "pod-index label and replicas wired"
else
  bad "aggregator partition ownership not wired"
fi

step "forecast wiring: API keys, watch keys, NATS, store, aggregator timings, NetworkPolicies"
if PYTHONPATH="$ROOT/helm/tools" python3 - "$OUT" <<'PY'; then ok "forecast wired in default, production and forecast-watch"; else bad "forecast wiring"; fi
import sys, yaml
out = sys.argv[1]
problems = []
from rendered import find, loader, namespaces_of, peers_of
docs = loader(out)
def check(name, watch):
    ds = docs(name)
    values = {d["metadata"]["name"]: d.get("data", {}) for d in ds if d["kind"] == "ConfigMap"}
    fc, agg, common = values["pulse-forecast"], values["pulse-aggregator"], values["pulse-common"]
    def need(cond, what):
        if not cond:
            problems.append(f"{name}: {what}")
    need(fc.get("PULSE_API_KEYS_FILE") == "/etc/pulse/api-keys/keys.json", "PULSE_API_KEYS_FILE not set")
    need(fc.get("PULSE_STORE_ADDR") == "pulse-store:50051", f"PULSE_STORE_ADDR is {fc.get('PULSE_STORE_ADDR')}")
    need(common.get("PULSE_NATS_URL"), "PULSE_NATS_URL missing from the common ConfigMap")
    for var in ("PULSE_AGGREGATOR_ALLOWED_LATENESS_MS", "PULSE_AGGREGATOR_OUT_OF_ORDERNESS_MS"):
        need(var in agg and fc.get(var) == agg[var], f"{var}: forecast {fc.get(var)} != aggregator {agg.get(var)}")
    need(("PULSE_FORECAST_WATCH_KEYS_FILE" in fc) == watch, f"PULSE_FORECAST_WATCH_KEYS_FILE set={not watch}")
    pod = find(ds, "Deployment", "pulse-forecast")["spec"]["template"]["spec"]
    mounts = {m["name"]: m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    need(mounts.get("api-keys") == "/etc/pulse/api-keys", "API-key file not mounted")
    need(("watch-keys" in mounts) == watch, f"watch-keys mounted={not watch}")
    volumes = {v["name"]: v.get("secret", {}).get("secretName") for v in pod["volumes"]}
    store_pod = find(ds, "Deployment", "pulse-store")["spec"]["template"]["spec"]
    store_volumes = {v["name"]: v.get("secret", {}).get("secretName") for v in store_pod["volumes"]}
    need(volumes.get("api-keys") == store_volumes.get("api-keys"), "forecast and store mount different API-key Secrets")
    if watch:
        need(find(ds, "Secret", volumes["watch-keys"]) is not None or name == "production", f"Secret {volumes['watch-keys']} not rendered")
    np = find(ds, "NetworkPolicy", "pulse-forecast")["spec"]
    egress_ports = {p["port"] for rule in np["egress"] for p in rule["ports"]}
    need(4222 in egress_ports, "forecast has no NATS egress")
    need(any(50051 in [p["port"] for p in r["ports"]] and "store" in peers_of(r) for r in np["egress"]), "forecast has no egress to the store's gRPC port")
    need(any("test" in peers_of(r) and {"port": "grpc", "protocol": "TCP"} in r["ports"] for r in np["ingress"]), "forecast gRPC not open to the test pod")
    store_np = find(ds, "NetworkPolicy", "pulse-store")["spec"]
    need(any("forecast" in peers_of(r) and {"port": "grpc", "protocol": "TCP"} in r["ports"] for r in store_np["ingress"]), "store gRPC not open to forecast")
    test = find(ds, "Pod", "pulse-test")
    need(test and "health pulse-forecast:50052" in test["spec"]["containers"][0]["args"][0], "helm test does not check forecast's gRPC health")
check("default", watch=False)
check("production", watch=True)
check("forecast-watch", watch=True)
for p in problems:
    print(f"  {p}")
sys.exit(1 if problems else 0)
PY

step "console wiring: settings, API keys, egress to store/forecast/NATS, their ingress, helm test, Ingress"
if PYTHONPATH="$ROOT/helm/tools" python3 - "$OUT" <<'PY'; then ok "console wired in console and production; absent by default"; else bad "console wiring"; fi
import sys, yaml
out = sys.argv[1]
problems = []
from rendered import find, loader, namespaces_of, peers_of
docs = loader(out)
def check(name, host):
    ds = docs(name)
    def need(cond, what):
        if not cond:
            problems.append(f"{name}: {what}")
    cm = find(ds, "ConfigMap", "pulse-console")["data"]
    expected = {
        "PULSE_CONSOLE_HTTP_PORT": "8085",
        "PULSE_STORE_ADDR": "pulse-store:50051",
        "PULSE_FORECAST_ADDR": "pulse-forecast:50052",
        "PULSE_API_KEYS_FILE": "/etc/pulse/api-keys/keys.json",
    }
    for var, value in expected.items():
        need(cm.get(var) == value, f"{var} is {cm.get(var)}, want {value}")
    for var in ("PULSE_CONSOLE_REFRESH_MS", "PULSE_CONSOLE_QUERY_TIMEOUT_MS", "PULSE_CONSOLE_MAX_STREAMS"):
        need(var in cm, f"{var} missing")
    pod = find(ds, "Deployment", "pulse-console")["spec"]["template"]["spec"]
    c = pod["containers"][0]
    need(any(e.get("configMapRef", {}).get("name") == "pulse-common" for e in c["envFrom"]), "common ConfigMap (PULSE_NATS_URL) not read")
    need(c["readinessProbe"]["httpGet"]["path"] == "/readyz" and c["livenessProbe"]["httpGet"]["path"] == "/healthz", "probes not /readyz and /healthz")
    need(c["securityContext"].get("capabilities", {}).get("drop") == ["ALL"], "capabilities not dropped")
    need(pod.get("topologySpreadConstraints"), "no topology spread")
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    need(mounts.get("api-keys") == "/etc/pulse/api-keys", "API-key file not mounted")
    secret = lambda p: {v["name"]: v.get("secret", {}).get("secretName") for v in p["volumes"]}.get("api-keys")
    store_pod = find(ds, "Deployment", "pulse-store")["spec"]["template"]["spec"]
    need(secret(pod) == secret(store_pod), "console and store mount different API-key Secrets")
    need(find(ds, "Service", "pulse-console")["spec"]["ports"][0]["port"] == 8085, "Service not on 8085")
    need(find(ds, "PodDisruptionBudget", "pulse-console") is not None, "no PodDisruptionBudget")
    np = find(ds, "NetworkPolicy", "pulse-console")["spec"]
    egress = [(r, {p["port"] for p in r["ports"]}) for r in np["egress"]]
    need(any(4222 in ports for _, ports in egress), "no NATS egress")
    need(any(50051 in ports and "store" in peers_of(r) for r, ports in egress), "no egress to the store's gRPC port")
    need(any(50052 in ports and "forecast" in peers_of(r) for r, ports in egress), "no egress to the forecast gRPC port")
    http_in = [r for r in np["ingress"] if {"port": "http", "protocol": "TCP"} in r["ports"]]
    need(any("test" in peers_of(r) for r in http_in), "console HTTP not open to the test pod")
    need(any("ingress-nginx" in namespaces_of(r) for r in http_in), "networkPolicy.consoleFrom not applied")
    for svc in ("store", "forecast"):
        rules = find(ds, "NetworkPolicy", f"pulse-{svc}")["spec"]["ingress"]
        need(any("console" in peers_of(r) and {"port": "grpc", "protocol": "TCP"} in r["ports"] for r in rules), f"{svc} gRPC not open to the console")
    test = find(ds, "Pod", "pulse-test")["spec"]["containers"][0]["args"][0]
    need("http://pulse-console:8085/readyz" in test, "helm test does not GET the console's /readyz")
    test_np = find(ds, "NetworkPolicy", "pulse-test")["spec"]
    need(any(8085 in [p["port"] for p in r["ports"]] and "console" in peers_of(r) for r in test_np["egress"]), "test pod cannot reach the console")
    ing = find(ds, "Ingress", "pulse-console")
    need(ing and ing["spec"]["rules"][0]["host"] == host and ing["spec"]["tls"][0]["hosts"] == [host], f"Ingress for {host} missing")
check("console", "console.pulse.example.com")
check("production", "pulse-console.example.com")
default = docs("default")
if any(d["metadata"]["name"] == "pulse-console" for d in default):
    problems.append("default: console rendered although console.enabled is false")
for svc in ("store", "forecast"):
    for r in find(default, "NetworkPolicy", f"pulse-{svc}")["spec"]["ingress"]:
        if "console" in peers_of(r):
            problems.append(f"default: {svc} admits console pods although the console is disabled")
for p in problems:
    print(f"  {p}")
sys.exit(1 if problems else 0)
PY

step "large integers reach the services as integers (YAML numbers are floats in templates: 2e+06)"
if "$HELM" template pulse "$CHART" --namespace pulse --kube-version "$KUBE_VERSION" -f "$CHART/ci/default-values.yaml" \
  -f - >"$OUT/large-integers.yaml" 2>&1 <<'YAML' && ! grep -nE '^  PULSE_[A-Z0-9_]+: "[0-9.]+e\+[0-9]+"' "$OUT/large-integers.yaml"; then
shutdownTimeoutMs: 3000000
store: { maxInFlight: 2000000 }
cleaner: { maxInFlight: 2000000 }
aggregator: { allowedLatenessMs: 10800000, emitIntervalMs: 1000000 }
forecast: { cacheMaxModels: 2000000, refitIntervalMs: 604800000, watch: { closeWaitMs: 3600000 } }
YAML
  ok "no exponent notation in any ConfigMap"
else
  bad "a ConfigMap renders an integer in exponent notation (pipe it through int64)"
fi

# --- Kubernetes API schemas, offline ----------------------------------------------------------
# kubernetes-validate (PyPI, pinned; it bundles the OpenAPI-derived JSON schemas of Kubernetes
# 1.25–1.37, so validation needs no network) is installed into .cache/kval on first use.
# KUBERNETES_VALIDATE=<path> uses another copy.
step "Kubernetes $KUBE_VERSION API schemas (strict, offline)"
KV_VERSION=1.37.0
KV="${KUBERNETES_VALIDATE:-$ROOT/.cache/kval/bin/kubernetes-validate}"
if [[ ! -x "$KV" && -z "${KUBERNETES_VALIDATE:-}" ]]; then
  command -v python3 >/dev/null || { echo "helm-check: python3 is required (apt-get install python3 python3-venv)" >&2; exit 1; }
  echo "  installing kubernetes-validate $KV_VERSION into .cache/kval (pip, once)"
  python3 -m venv "$ROOT/.cache/kval" && "$ROOT/.cache/kval/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$KV_VERSION" ||
    { echo "helm-check: could not install kubernetes-validate $KV_VERSION from PyPI" >&2; exit 1; }
fi
if [[ ! -x "$KV" ]]; then
  bad "kubernetes-validate not found at $KV"
else
  for name in default production store-only forecast-watch console only-ingestGateway only-cleaner only-aggregator \
    only-store only-forecast only-console; do
    # CRD kinds (ServiceMonitor) have no bundled schema: reported as warnings, hidden here.
    if "$KV" -k "$KUBE_VERSION" --strict --quiet --no-warn "$OUT/$name.yaml"; then
      ok "$name.yaml valid against Kubernetes $KUBE_VERSION"
    else
      bad "$name.yaml does not validate against Kubernetes $KUBE_VERSION"
    fi
  done
  # The validator must reject a manifest with an unknown field.
  sed 's/^\( *\)readOnlyRootFilesystem: true/\1readOnlyRootFilesytem: true/' "$OUT/default.yaml" >"$OUT/invalid-k8s.yaml"
  if "$KV" -k "$KUBE_VERSION" --strict --quiet --no-warn "$OUT/invalid-k8s.yaml" >"$OUT/invalid-k8s.txt" 2>&1; then
    bad "a misspelt securityContext field was accepted by the schema validation"
  else
    ok "a misspelt field is rejected: $(head -1 "$OUT/invalid-k8s.txt" | sed 's/.*: \(spec[^ ]*\)/\1/' | cut -c1-120)"
  fi
fi

# --- invalid values are rejected with a readable message --------------------------------------
# file → text the error must contain
declare -A INVALID=(
  [wrong-type-values.yaml]="at '/partitions': got string, want integer"
  [unknown-key-values.yaml]="at '/store': additional properties 'replicas' not allowed"
  [negative-replicas-values.yaml]="at '/aggregator/replicaCount': minimum: got -1, want 0"
  [latest-tag-values.yaml]="at '/cleaner/image/tag': value must be '<a pinned version: latest is not allowed>'"
  [forecast-granularity-values.yaml]="at '/forecast/watch/granularities/0': value must be one of '1m', '1h', '1d'"
  [forecast-watch-key-values.yaml]='forecast.watchKeys.keys[0]: not a query key of tenant "demo" in apiKeys.keys'
  [cleaner-active-key-values.yaml]="cleaner.activeKey: required when cleaner.pseudonymKeys.value holds more than one key"
  [console-refresh-values.yaml]="at '/console/refreshMs': minimum: got 100, want 200"
  [console-ingress-host-values.yaml]="console.ingress.host: required when console.ingress.enabled is true"
  [nats-tls-ca-values.yaml]="nats.tls.enabled: set nats.tls.caSecret or nats.tls.caConfigMap"
  [cassandra-tls-ca-values.yaml]="cassandra.tls.enabled needs cassandra.tls.caSecret"
  [tls-secret-values.yaml]="tls.enabled needs tls.secretName"
)
step "invalid values are rejected by the schema or the chart"
for file in wrong-type-values.yaml unknown-key-values.yaml negative-replicas-values.yaml latest-tag-values.yaml \
  forecast-granularity-values.yaml forecast-watch-key-values.yaml cleaner-active-key-values.yaml \
  console-refresh-values.yaml console-ingress-host-values.yaml nats-tls-ca-values.yaml \
  cassandra-tls-ca-values.yaml tls-secret-values.yaml; do
  expected="${INVALID[$file]}"
  if out=$("$HELM" template pulse "$CHART" --kube-version "$KUBE_VERSION" -f "$ROOT/helm/tests/invalid/$file" 2>&1); then
    bad "$file was accepted"
  elif grep -qF -- "$expected" <<<"$out"; then
    ok "$file rejected: $(grep -F -- "$expected" <<<"$out" | sed 's/^- //')"
  else
    printf '%s\n' "$out"
    bad "$file rejected without the expected message: $expected"
  fi
done
if out=$("$HELM" template pulse "$CHART" --kube-version "$KUBE_VERSION" --set 'ingestGateway.replicaCount=-2' \
  --set apiKeys.existingSecret=k 2>&1); then
  bad "--set ingestGateway.replicaCount=-2 was accepted"
elif grep -qF "at '/ingestGateway/replicaCount': minimum: got -2, want 0" <<<"$out"; then
  ok "--set ingestGateway.replicaCount=-2 rejected"
else
  printf '%s\n' "$out"
  bad "negative replicas via --set rejected without a readable message"
fi
if out=$("$HELM" template pulse "$CHART" --kube-version "$KUBE_VERSION" 2>&1); then
  bad "bare defaults (no API keys) were accepted"
elif grep -qF "apiKeys: set apiKeys.existingSecret" <<<"$out"; then
  ok "bare defaults rejected: API keys are required"
else
  printf '%s\n' "$out"
  bad "bare defaults rejected without the apiKeys message"
fi

step "NATS users and TLS: one user per service, only its password mounted, the server config valid"
if PYTHONPATH="$ROOT/helm/tools" python3 - "$OUT" "$CHART/files/nats-permissions.json" "$BIN/nats-server" <<'PY'; then ok "NATS auth wired in default and nats-tls, absent in nats-no-auth"; else bad "NATS auth wiring"; fi
import json, os, subprocess, sys, tempfile, yaml
out, permissions, nats_server = sys.argv[1:4]
users = json.load(open(permissions))["users"]
problems = []
from rendered import find, loader, namespaces_of, peers_of
docs = loader(out)
def env_of(pod):
    return {e["name"]: e.get("value") for e in pod["containers"][0].get("env", [])}
def check(name, auth, tls, secret):
    ds = docs(name)
    def need(cond, what):
        if not cond:
            problems.append(f"{name}: {what}")
    workloads = [d for d in ds if d["kind"] in ("Deployment", "StatefulSet")]
    need(workloads, "no workloads")
    for w in workloads:
        component = w["metadata"]["labels"]["app.kubernetes.io/component"]
        pod = w["spec"]["template"]["spec"]
        env = env_of(pod)
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        if auth:
            need(component in users, f"{component} has no NATS user in files/nats-permissions.json")
            need(env.get("PULSE_NATS_USER") == component, f"{component}: PULSE_NATS_USER is {env.get('PULSE_NATS_USER')}")
            need(env.get("PULSE_NATS_PASSWORD_FILE") == "/etc/pulse/nats-auth/password", f"{component}: PULSE_NATS_PASSWORD_FILE")
            vol = volumes.get("nats-auth", {}).get("secret", {})
            need(vol.get("secretName") == secret, f"{component}: nats-auth Secret is {vol.get('secretName')}")
            need(vol.get("items") == [{"key": component, "path": "password"}], f"{component}: mounts more than its own password")
        else:
            need("PULSE_NATS_USER" not in env and "nats-auth" not in volumes, f"{component}: NATS user set with auth disabled")
        need(("PULSE_NATS_TLS_CA_FILE" in env) == tls and ("nats-tls" in volumes) == tls, f"{component}: NATS TLS wiring (want {tls})")
    generated = [d for d in ds if d["kind"] == "Secret" and d["metadata"]["name"] == "pulse-nats-users"]
    need(bool(generated) == (auth and secret == "pulse-nats-users"), "users Secret rendered when it should not be, or missing")
    for d in generated:
        need(sorted(d["data"]) == sorted(users), f"users Secret keys {sorted(d['data'])}")
    config = [d for d in ds if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "pulse-nats-authorization"]
    need(bool(config) == auth, "authorization ConfigMap presence")
    if config and os.access(nats_server, os.X_OK):
        # The rendered block must be a valid nats-server config once the passwords are in the environment.
        with tempfile.TemporaryDirectory() as tmp:
            open(f"{tmp}/pulse-authorization.conf", "w").write(config[0]["data"]["pulse-authorization.conf"])
            open(f"{tmp}/nats.conf", "w").write(f'jetstream {{ store_dir: "{tmp}/js" }}\ninclude ./pulse-authorization.conf\n')
            env = dict(os.environ, **{"PULSE_NATS_PASSWORD_" + u.upper().replace("-", "_"): "x" for u in users})
            result = subprocess.run([nats_server, "-t", "-c", f"{tmp}/nats.conf"], env=env, capture_output=True, text=True)
            need(result.returncode == 0, f"nats-server rejects the authorization ConfigMap: {result.stderr.strip()}")
check("default", auth=True, tls=False, secret="pulse-nats-users")
check("nats-no-auth", auth=False, tls=False, secret=None)
check("nats-tls", auth=True, tls=True, secret="pulse-nats-passwords")
for p in problems:
    print(f"  {p}")
sys.exit(1 if problems else 0)
PY

step "Cassandra credentials and TLS (store, migrations Job), endpoint TLS and HTTPS probes"
if PYTHONPATH="$ROOT/helm/tools" python3 - "$OUT" <<'PY'; then ok "Cassandra auth on in default, off in cassandra-no-auth; TLS wired in tls"; else bad "Cassandra/endpoint TLS wiring"; fi
import sys, yaml
out = sys.argv[1]
problems = []
from rendered import find, loader, namespaces_of, peers_of
docs = loader(out)
def pod_of(d):
    return d["spec"]["template"]["spec"]
def check(name, auth, secret, cassandra_tls, tls):
    ds = docs(name)
    def need(cond, what):
        if not cond:
            problems.append(f"{name}: {what}")
    pods = {d["metadata"]["labels"]["app.kubernetes.io/component"]: pod_of(d)
            for d in ds if d["kind"] in ("Deployment", "StatefulSet", "Job")}
    for component, pod in pods.items():
        c = pod["containers"][0]
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        uses_cassandra = component in ("store", "migrations")
        want_auth = auth and uses_cassandra
        need((env.get("PULSE_CASSANDRA_USERNAME") == "pulse") == want_auth, f"{component}: PULSE_CASSANDRA_USERNAME (want {want_auth})")
        need(("PULSE_CASSANDRA_PASSWORD_FILE" in env) == want_auth, f"{component}: PULSE_CASSANDRA_PASSWORD_FILE")
        need("PULSE_CASSANDRA_PASSWORD" not in env, f"{component}: a password in the environment")
        if want_auth:
            need(volumes.get("cassandra-auth", {}).get("secret", {}).get("secretName") == secret, f"{component}: cassandra-auth Secret")
        want_ctls = cassandra_tls and uses_cassandra
        need(("PULSE_CASSANDRA_TLS_CA_FILE" in env) == want_ctls and ("cassandra-tls" in volumes) == want_ctls, f"{component}: Cassandra TLS (want {want_ctls})")
        if component == "migrations":
            continue
        need(("PULSE_TLS_CERT_FILE" in env) == tls and ("PULSE_TLS_CA_FILE" in env) == tls and ("pulse-tls" in volumes) == tls, f"{component}: endpoint TLS (want {tls})")
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            p = c.get(probe, {})
            if "httpGet" in p:
                need((p["httpGet"].get("scheme") == "HTTPS") == tls, f"{component}: {probe} scheme")
            need(not (tls and "grpc" in p), f"{component}: {probe} is a gRPC probe with TLS on (kubelet speaks no TLS)")
    generated = [d for d in ds if d["kind"] == "Secret" and d["metadata"]["name"] == "pulse-cassandra-credentials"]
    need(bool(generated) == (auth and secret == "pulse-cassandra-credentials"), "credentials Secret presence")
    for d in generated:
        need(d["metadata"]["annotations"].get("helm.sh/hook") == "pre-install,pre-upgrade", "credentials Secret is not a pre-install hook (the migrations Job needs it)")
check("default", auth=True, secret="pulse-cassandra-credentials", cassandra_tls=False, tls=False)
check("cassandra-no-auth", auth=False, secret=None, cassandra_tls=False, tls=False)
check("tls", auth=True, secret="pulse-cassandra", cassandra_tls=True, tls=True)
for p in problems:
    print(f"  {p}")
sys.exit(1 if problems else 0)
PY

# --- docs/deploy.md documents every value -----------------------------------------------------
step "docs/deploy.md documents every value of values.yaml"
if python3 - "$CHART/values.yaml" "$ROOT/docs/deploy.md" <<'PY'; then ok "every value documented"; else bad "docs/deploy.md misses values"; fi
import re, sys, yaml
values = yaml.safe_load(open(sys.argv[1]))
doc = open(sys.argv[2]).read()
documented = set(re.findall(r"`([A-Za-z0-9_.<>]+)`", doc))
SERVICES = {"ingestGateway", "cleaner", "aggregator", "store", "forecast", "console"}
missing = []
def walk(prefix, node, depth):
    for key, value in node.items():
        path = f"{prefix}{key}"
        # Service blocks share their common keys: documented once as `<service>.<key>`.
        shown = path
        if prefix.split(".")[0] in SERVICES:
            shown_generic = "<service>." + path.split(".", 1)[1]
            if path not in documented and shown_generic not in documented:
                missing.append(path)
        elif path not in documented:
            missing.append(path)
        if isinstance(value, dict) and value and depth < 2 and not key.endswith(("Labels", "Selector", "Annotations", "annotations", "labels")) and key not in {"resources", "podSecurityContext", "containerSecurityContext", "affinity", "probes", "requests", "limits"}:
            walk(path + ".", value, depth + 1)
walk("", values, 0)
for m in missing:
    print(f"  undocumented value: {m}")
sys.exit(1 if missing else 0)
PY

step "summary"
if ((failures > 0)); then
  echo "helm-check: $failures check(s) failed"
  exit 1
fi
echo "helm-check: all checks passed (helm $HELM_VERSION, Kubernetes $KUBE_VERSION; rendered in ${OUT#"$ROOT"/})"
