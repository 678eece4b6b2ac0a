#!/usr/bin/env python3
"""Writes helm/pulse/values.schema.json (JSON Schema 2020-12, strict: additionalProperties false
everywhere Pulse owns the shape). Kept as code so the six services share one definition.
`--check` exits 1 when the committed schema differs from what this script produces."""
import json
import re
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "pulse" / "values.schema.json"


def obj(props, required=None, desc=None, extra=True):
    o = {"type": "object", "additionalProperties": False, "properties": props}
    o["required"] = sorted(required if required is not None else props.keys())
    if desc:
        o["description"] = desc
    return o


def s(desc=None, **kw):
    o = {"type": "string", **kw}
    if desc:
        o["description"] = desc
    return o


def i(minimum=None, maximum=None, desc=None):
    o = {"type": "integer"}
    if minimum is not None:
        o["minimum"] = minimum
    if maximum is not None:
        o["maximum"] = maximum
    if desc:
        o["description"] = desc
    return o


BOOL = {"type": "boolean"}
PORT = i(1, 65535)
FREE_OBJECT = {"type": "object", "description": "Kubernetes object, passed through"}
STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
LIST_OF_OBJECTS = {"type": "array", "items": {"type": "object"}}
QUANTITY = {"anyOf": [{"type": "string", "pattern": r"^[0-9.]+(m|k|Ki|Mi|Gi|Ti|M|G|T)?$"}, {"type": "number", "minimum": 0}]}
RESOURCE_LIST = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"cpu": QUANTITY, "memory": QUANTITY, "ephemeral-storage": QUANTITY},
}
RESOURCES = {
    "type": "object",
    "additionalProperties": False,
    "required": ["requests", "limits"],
    "properties": {"requests": RESOURCE_LIST, "limits": RESOURCE_LIST},
    "description": "Container resources: requests are required by the policy check",
}
PROBE = obj(
    {
        "initialDelaySeconds": i(0),
        "periodSeconds": i(1),
        "timeoutSeconds": i(1),
        "failureThreshold": i(1),
        "successThreshold": i(1),
    },
    required=[],
)
IMAGE = obj(
    {
        "repository": s("image repository", minLength=1),
        "tag": {
            **s("image tag; empty = Chart appVersion; never latest", pattern=r"^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$"),
            # A readable rejection of `latest` (RE2 patterns have no negative look-ahead).
            "if": {"const": "latest"},
            "then": {"enum": ["<a pinned version: latest is not allowed>"]},
        },
        "digest": s("sha256:<64 hex> or empty", pattern=r"^(sha256:[a-f0-9]{64})?$"),
        "pullPolicy": {"enum": ["IfNotPresent", "Always", "Never"]},
    }
)
AUTOSCALING = obj(
    {
        "enabled": BOOL,
        "minReplicas": i(1),
        "maxReplicas": i(1),
        "targetCPUUtilizationPercentage": i(1, 100),
    }
)
PDB = obj({"enabled": BOOL, "maxUnavailable": {"anyOf": [i(0), s(pattern=r"^[0-9]{1,3}%$")]}})
PROBES = obj({"startup": PROBE, "liveness": PROBE, "readiness": PROBE})


def service(extra_props, http_port=True, grpc_port=False, hpa=True, gateway=False):
    svc_props = {"httpPort": PORT}
    if grpc_port:
        svc_props["grpcPort"] = PORT
    if gateway:
        svc_props["type"] = {"enum": ["ClusterIP", "NodePort", "LoadBalancer"]}
        svc_props["annotations"] = STRING_MAP
    props = {
        "enabled": BOOL,
        "replicaCount": i(0, desc="replicas (negative rejected)"),
        "image": IMAGE,
        "resources": RESOURCES,
        "service": obj(svc_props),
        "pdb": PDB,
        "probes": PROBES,
        "extraEnv": LIST_OF_OBJECTS,
        "podAnnotations": STRING_MAP,
        "podLabels": STRING_MAP,
        "nodeSelector": STRING_MAP,
        "tolerations": LIST_OF_OBJECTS,
        "affinity": FREE_OBJECT,
        "priorityClassName": s(),
    }
    if hpa:
        props["autoscaling"] = AUTOSCALING
    props.update(extra_props)
    return obj(props)


TENANT = r"^[a-z0-9][a-z0-9_-]{0,62}$"


def contract_names():
    """Granularities and metrics as libs/contracts/src/metrics.ts defines them, so the forecast
    watch lists cannot drift from what the service accepts (`--check` then reports a stale schema)."""
    src = (OUT.parents[2] / "libs" / "contracts" / "src" / "metrics.ts").read_text()
    grans = re.search(r"export const GRANULARITIES = \{([^}]*)\}", src)
    lists = {n: re.search(rf"export const {n} = \[([^\]]*)\]", src) for n in ("SUM_METRICS", "SKETCH_METRICS")}
    if not grans or not all(lists.values()):
        sys.exit("values-schema.py: cannot read GRANULARITIES/SUM_METRICS/SKETCH_METRICS from libs/contracts/src/metrics.ts")
    names = lambda text: re.findall(r"'([a-z0-9_]+)'", text)
    return names(grans.group(1)), names(lists["SUM_METRICS"].group(1)) + names(lists["SKETCH_METRICS"].group(1))


GRANULARITIES, METRICS = contract_names()
PEERS = {"type": "array", "items": {"type": "object"}, "description": "NetworkPolicyPeer objects"}

schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Pulse Helm chart values",
    **obj(
        {
            "global": FREE_OBJECT,
            "nameOverride": s(),
            "fullnameOverride": s(),
            "commonLabels": STRING_MAP,
            "imagePullSecrets": {"type": "array", "items": {"type": "string"}},
            "partitions": i(1, 4096, "PULSE_PARTITIONS, fixed at install"),
            "shutdownTimeoutMs": i(100),
            "nats": obj(
                {
                    "url": s(pattern=r"^(nats|tls)://"),
                    "port": PORT,
                    "networkPolicyPeers": PEERS,
                    "auth": obj(
                        {"enabled": BOOL, "existingSecret": s(), "serverConfig": BOOL},
                        desc="One NATS user per service (docs/security.md, NATS)",
                    ),
                    "tls": obj(
                        {
                            "enabled": BOOL,
                            "caSecret": s(),
                            "caConfigMap": s(),
                            "caKey": s(pattern=r"^[-._a-zA-Z0-9]+$"),
                            "clientCertSecret": s(),
                        },
                        desc="TLS to NATS: the CA from caSecret or caConfigMap",
                    ),
                }
            ),
            "streams": obj(
                {
                    "replicas": i(1, 5),
                    "maxAgeHours": i(1),
                    "maxBytes": i(-1),
                    "discard": {"enum": ["new", "old"]},
                    "duplicateWindowSeconds": i(1),
                }
            ),
            "cassandra": obj(
                {
                    "contactPoints": s(minLength=1),
                    "localDc": s(minLength=1),
                    "keyspace": s(pattern=r"^[a-z][a-z0-9_]{0,47}$"),
                    "replicationFactor": i(1, 9),
                    "port": PORT,
                    "networkPolicyPeers": PEERS,
                    "auth": obj(
                        {
                            "enabled": BOOL,
                            "username": s(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]{0,47}$"),
                            "existingSecret": s(),
                            "existingSecretKey": s(pattern=r"^[-._a-zA-Z0-9]+$"),
                        },
                        desc="PasswordAuthenticator role of the store (docs/security.md, Cassandra)",
                    ),
                    "tls": obj(
                        {
                            "enabled": BOOL,
                            "caSecret": s(),
                            "caKey": s(pattern=r"^[-._a-zA-Z0-9]+$"),
                            "clientCertSecret": s(),
                        },
                        desc="TLS to Cassandra: the CA from caSecret (required when enabled)",
                    ),
                }
            ),
            "tls": obj(
                {"enabled": BOOL, "secretName": s(desc="kubernetes.io/tls Secret with tls.crt, tls.key, ca.crt")},
                desc="TLS on Pulse's HTTP and gRPC endpoints (docs/security.md, TLS)",
            ),
            "otel": obj(
                {
                    "enabled": BOOL,
                    "endpoint": s(),
                    "protocol": {"enum": ["http/protobuf", "http/json", "grpc"]},
                    "port": PORT,
                    "tracesSampler": {
                        "enum": [
                            "always_on",
                            "always_off",
                            "traceidratio",
                            "parentbased_always_on",
                            "parentbased_always_off",
                            "parentbased_traceidratio",
                        ]
                    },
                    "tracesSamplerArg": s(pattern=r"^(0(\.[0-9]+)?|1(\.0+)?)$"),
                    "resourceAttributes": s(),
                    "networkPolicyPeers": PEERS,
                }
            ),
            "apiKeys": obj(
                {
                    "existingSecret": s(),
                    "existingSecretKey": s(minLength=1),
                    "keys": {
                        "type": "array",
                        "items": obj(
                            {
                                "tenant": s(pattern=TENANT),
                                "sha256": s(pattern=r"^[0-9a-f]{64}$"),
                                "id": s(),
                                "scopes": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {"enum": ["ingest", "query"]},
                                },
                            },
                            required=["tenant", "sha256"],
                        ),
                    },
                }
            ),
            "podSecurityContext": {
                **FREE_OBJECT,
                "properties": {"runAsNonRoot": {"const": True}},
                "required": ["runAsNonRoot"],
            },
            "containerSecurityContext": {
                **FREE_OBJECT,
                "properties": {
                    "runAsNonRoot": {"const": True},
                    "readOnlyRootFilesystem": {"const": True},
                    "allowPrivilegeEscalation": {"const": False},
                },
                "required": ["runAsNonRoot", "readOnlyRootFilesystem", "allowPrivilegeEscalation"],
            },
            "topologySpread": obj(
                {
                    "enabled": BOOL,
                    "maxSkew": i(1),
                    "whenUnsatisfiable": {"enum": ["ScheduleAnyway", "DoNotSchedule"]},
                    "topologyKeys": {"type": "array", "items": s(minLength=1)},
                }
            ),
            "networkPolicy": obj(
                {
                    "enabled": BOOL,
                    "gatewayFrom": PEERS,
                    "storeFrom": PEERS,
                    "forecastFrom": PEERS,
                    "consoleFrom": PEERS,
                    "metricsFrom": PEERS,
                    "dnsPeers": PEERS,
                    "extraEgress": LIST_OF_OBJECTS,
                }
            ),
            "serviceMonitor": obj(
                {
                    "enabled": BOOL,
                    "interval": s(pattern=r"^[0-9]+(ms|s|m|h)$"),
                    "scrapeTimeout": s(pattern=r"^[0-9]+(ms|s|m|h)$"),
                    "path": s(pattern=r"^/"),
                    "labels": STRING_MAP,
                }
            ),
            "migrations": obj(
                {
                    "enabled": BOOL,
                    "backoffLimit": i(0),
                    "activeDeadlineSeconds": i(1),
                    "ttlSecondsAfterFinished": i(0),
                    "resources": RESOURCES,
                }
            ),
            "tests": obj(
                {
                    "enabled": BOOL,
                    "image": IMAGE,
                    "apiKeySecret": s(),
                    "apiKeySecretKey": s(minLength=1),
                    "readBackTimeoutSeconds": i(1),
                    "resources": RESOURCES,
                }
            ),
            "ingestGateway": service(
                {
                    "maxBodyBytes": i(1),
                    "maxBatch": i(1),
                    "rateLimitEventsPerSecond": i(1),
                    "rateLimitWindowSeconds": i(1),
                },
                grpc_port=True,
                gateway=True,
            ),
            "cleaner": service(
                {
                    "pseudonymKeys": obj(
                        {
                            "existingSecret": s(),
                            "existingSecretKey": s(minLength=1),
                            "value": s(pattern=r"^$|^[a-z0-9]{1,8}:[^,]{16,}(,[a-z0-9]{1,8}:[^,]{16,})*$"),
                        }
                    ),
                    "activeKey": s(pattern=r"^([a-z0-9]{1,8})?$"),
                    "baseCurrency": s(pattern=r"^[A-Z]{3}$"),
                    "tenantBaseCurrencies": s(pattern=r"^$|^[a-z0-9][a-z0-9_-]*:[A-Z]{3}(,[a-z0-9][a-z0-9_-]*:[A-Z]{3})*$"),
                    "rates": obj({"existingConfigMap": s(), "key": s(minLength=1)}),
                    "maxDeliver": i(1),
                    "maxInFlight": i(1),
                    "maxFutureSkewMs": i(0),
                }
            ),
            "aggregator": service(
                {
                    "podManagementPolicy": {"enum": ["Parallel", "OrderedReady"]},
                    "emitIntervalMs": i(50),
                    "outOfOrdernessMs": i(0, desc="PULSE_AGGREGATOR_OUT_OF_ORDERNESS_MS (aggregator and forecast)"),
                    "allowedLatenessMs": i(0, desc="PULSE_AGGREGATOR_ALLOWED_LATENESS_MS (aggregator and forecast)"),
                },
                hpa=False,
            ),
            "store": service({"minuteTtlDays": i(1), "maxInFlight": i(1)}, grpc_port=True),
            "forecast": service(
                {
                    "watchKeys": obj(
                        {
                            "existingSecret": s(),
                            "existingSecretKey": s(minLength=1),
                            "keys": {
                                "type": "array",
                                "items": obj({"tenant": s(pattern=TENANT), "key": s(minLength=1)}),
                            },
                        }
                    ),
                    "watch": obj(
                        {
                            "intervalMs": i(100),
                            "granularities": {
                                "type": "array",
                                "minItems": 1,
                                "uniqueItems": True,
                                "items": {"enum": GRANULARITIES},
                            },
                            "metrics": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": METRICS}},
                            "topProducts": i(0, 100),
                            "dimensions": {
                                "type": "array",
                                "uniqueItems": True,
                                "items": s(pattern=r"^(product|category|country|channel):[^,]{1,256}$"),
                            },
                            "catchUpWindows": i(1, 1000),
                            "closeWaitMs": i(0),
                        }
                    ),
                    "historyWindows": obj({"1m": i(120, 20000), "1h": i(48, 20000), "1d": i(14, 20000)}),
                    "absentWindows": {"enum": ["gap", "zero"]},
                    "storeTimeoutMs": i(100),
                    "queryTimeoutMs": i(100),
                    "cacheMaxModels": i(1),
                    "refitIntervalMs": i(1000),
                    "refitAfterWindows": i(1),
                },
                grpc_port=True,
            ),
            # Bounds as services/console/src/console.config.ts declares them (the console refuses others).
            "console": service(
                {
                    "refreshMs": i(200, 60000),
                    "forecastRefreshMs": i(1000),
                    "windowMinutes": i(5, 1440),
                    "alertsShown": i(1, 1000),
                    "alertsLookbackHours": i(1, 720),
                    "maxStreams": i(1),
                    "queryTimeoutMs": i(100),
                    "webDir": s(pattern=r"^(/.*)?$", desc="absolute path or empty"),
                    "ingress": obj(
                        {
                            "enabled": BOOL,
                            "className": s(),
                            "host": s(pattern=r"^([a-z0-9*]([-a-z0-9.]*[a-z0-9])?)?$", desc="DNS name; required when enabled"),
                            "tlsSecretName": s(),
                            "annotations": STRING_MAP,
                        }
                    ),
                }
            ),
        },
        required=[
            "partitions", "nats", "streams", "cassandra", "otel", "apiKeys", "podSecurityContext",
            "containerSecurityContext", "networkPolicy", "ingestGateway", "cleaner", "aggregator", "store", "forecast",
            "console",
        ],
    ),
}

text = json.dumps(schema, indent=2) + "\n"
if "--check" in sys.argv:
    # Compared as data: the file on disk is Prettier-formatted (./pulse test checks formatting).
    if not OUT.exists() or json.loads(OUT.read_text()) != schema:
        sys.stderr.write(f"{OUT} is stale: run python3 helm/tools/values-schema.py\n")
        sys.exit(1)
    print(f"{OUT.name} up to date")
else:
    OUT.write_text(text)
    prettier = OUT.parents[2] / "node_modules" / ".bin" / "prettier"
    if prettier.exists():
        subprocess.run([str(prettier), "--log-level", "warn", "--write", str(OUT)], check=True)
    print(f"wrote {OUT}")
