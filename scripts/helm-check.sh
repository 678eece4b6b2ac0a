#!/usr/bin/env bash
# Validates the Helm chart offline (issue 8): a pinned helm (built with `go install`, cached in
# .cache/bin), `helm lint --strict` and `helm template` for the default values, the production
# example and a single-service install, the policy check over every rendered manifest, schema
# rejections of invalid values, and docs/deploy.md covering every value.
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
)
for name in default production store-only; do
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

step "each service alone (the other four disabled): template + policy"
for only in ingestGateway cleaner aggregator store forecast; do
  args=(--set apiKeys.existingSecret=pulse-api-keys)
  for other in ingestGateway cleaner aggregator store forecast; do
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
  for name in default production store-only only-ingestGateway only-cleaner only-aggregator only-store only-forecast; do
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
)
step "invalid values are rejected by the schema"
for file in wrong-type-values.yaml unknown-key-values.yaml negative-replicas-values.yaml latest-tag-values.yaml; do
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

# --- docs/deploy.md documents every value -----------------------------------------------------
step "docs/deploy.md documents every value of values.yaml"
if python3 - "$CHART/values.yaml" "$ROOT/docs/deploy.md" <<'PY'; then ok "every value documented"; else bad "docs/deploy.md misses values"; fi
import re, sys, yaml
values = yaml.safe_load(open(sys.argv[1]))
doc = open(sys.argv[2]).read()
documented = set(re.findall(r"`([A-Za-z0-9_.<>]+)`", doc))
SERVICES = {"ingestGateway", "cleaner", "aggregator", "store", "forecast"}
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
