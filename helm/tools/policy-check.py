#!/usr/bin/env python3
"""Policy check over rendered Kubernetes YAML (helm template output).

Fails (exit 1, one line per violation) on:
  resources   a container without resources.requests (cpu and memory) or without a memory limit
  probes      a long-running container without livenessProbe or readinessProbe
  non-root    runAsNonRoot not true (container, or inherited from the pod)
  ro-root     readOnlyRootFilesystem not true
  escalation  allowPrivilegeEscalation not false
  image-tag   an image without a tag, or tagged `latest` (a digest alone is fine)
  pdb         a workload with replicas > 1, or targeted by an HPA, that no PodDisruptionBudget selects
  netpol      a Service whose pods no NetworkPolicy allows ingress to on every Service port

Usage: policy-check.py FILE... | policy-check.py --self-test
Jobs and helm test pods (run-to-completion) are exempt from the probe rule only.
"""
import sys

import yaml

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
RUN_TO_COMPLETION = {"Job", "CronJob"}


def pod_spec(doc):
    kind = doc.get("kind")
    spec = doc.get("spec") or {}
    if kind == "Pod":
        return doc.get("metadata") or {}, spec
    if kind == "CronJob":
        tmpl = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
    else:
        tmpl = spec.get("template") or {}
    return tmpl.get("metadata") or {}, tmpl.get("spec") or {}


def name_of(doc):
    return f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"


def image_ok(image):
    if not image:
        return False
    if "@" in image:
        return True  # pinned by digest
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return False
    return last.rsplit(":", 1)[1] != "latest"


def selects(selector, labels):
    """matchLabels-only selector semantics (what the chart renders); matchExpressions: In/Exists."""
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def is_test_hook(doc):
    ann = (doc.get("metadata") or {}).get("annotations") or {}
    return "test" in str(ann.get("helm.sh/hook", "")).split(",")


def check(docs):
    errors = []
    workloads = []  # (doc, pod labels, pod spec)
    for doc in docs:
        if doc.get("kind") not in WORKLOAD_KINDS:
            continue
        meta, spec = pod_spec(doc)
        labels = meta.get("labels") or {}
        workloads.append((doc, labels, spec))
        pod_sc = spec.get("securityContext") or {}
        completes = doc.get("kind") in RUN_TO_COMPLETION or is_test_hook(doc)
        containers = [("container", c) for c in spec.get("containers") or []]
        containers += [("initContainer", c) for c in spec.get("initContainers") or []]
        for ckind, c in containers:
            where = f"{name_of(doc)} {ckind} {c.get('name')}"
            res = c.get("resources") or {}
            req = res.get("requests") or {}
            if "cpu" not in req or "memory" not in req or "memory" not in (res.get("limits") or {}):
                errors.append(f"resources: {where} needs requests.cpu, requests.memory and limits.memory")
            if ckind == "container" and not completes:
                for probe in ("livenessProbe", "readinessProbe"):
                    if not c.get(probe):
                        errors.append(f"probes: {where} has no {probe}")
            sc = c.get("securityContext") or {}
            non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
            if non_root is not True:
                errors.append(f"non-root: {where} runAsNonRoot is not true")
            if sc.get("runAsUser", pod_sc.get("runAsUser")) == 0:
                errors.append(f"non-root: {where} runs as uid 0")
            if sc.get("readOnlyRootFilesystem") is not True:
                errors.append(f"ro-root: {where} readOnlyRootFilesystem is not true")
            if sc.get("allowPrivilegeEscalation") is not False:
                errors.append(f"escalation: {where} allowPrivilegeEscalation is not false")
            if not image_ok(c.get("image")):
                errors.append(f"image-tag: {where} image {c.get('image')!r} has no tag or uses latest")

    # Replicated workloads need a PDB.
    pdbs = [d for d in docs if d.get("kind") == "PodDisruptionBudget"]
    hpa_targets = {
        ((d.get("spec") or {}).get("scaleTargetRef") or {}).get("kind", "")
        + "/"
        + ((d.get("spec") or {}).get("scaleTargetRef") or {}).get("name", "")
        for d in docs
        if d.get("kind") == "HorizontalPodAutoscaler"
    }
    for doc, labels, _ in workloads:
        if doc.get("kind") not in {"Deployment", "StatefulSet", "ReplicaSet"}:
            continue
        replicas = (doc.get("spec") or {}).get("replicas", 1)
        scaled = name_of(doc) in hpa_targets
        if (replicas or 0) > 1 or scaled:
            if not any(selects((p.get("spec") or {}).get("selector"), labels) for p in pdbs):
                why = "an HPA" if scaled else f"replicas={replicas}"
                errors.append(f"pdb: {name_of(doc)} has {why} but no PodDisruptionBudget selects its pods")

    # Every Service port must be reachable through some NetworkPolicy ingress rule.
    policies = [d for d in docs if d.get("kind") == "NetworkPolicy"]
    for svc in (d for d in docs if d.get("kind") == "Service"):
        selector = (svc.get("spec") or {}).get("selector")
        if not selector:
            continue
        backends = [(d, labels, spec) for d, labels, spec in workloads if selects({"matchLabels": selector}, labels)]
        for port in (svc.get("spec") or {}).get("ports") or []:
            target = port.get("targetPort", port.get("port"))
            for doc, labels, spec in backends:
                numbers = {
                    p.get("name"): p.get("containerPort")
                    for c in spec.get("containers") or []
                    for p in c.get("ports") or []
                }
                target_num = numbers.get(target, target)
                allowed = False
                for pol in policies:
                    pspec = pol.get("spec") or {}
                    if not selects(pspec.get("podSelector") or {}, labels):
                        continue
                    if "Ingress" not in (pspec.get("policyTypes") or ["Ingress"]):
                        continue
                    for rule in pspec.get("ingress") or []:
                        ports = rule.get("ports")
                        if not ports or any(p.get("port") in (target, target_num) for p in ports):
                            allowed = True
                if not allowed:
                    errors.append(
                        f"netpol: {name_of(svc)} port {port.get('name') or port.get('port')} -> {name_of(doc)}: "
                        "no NetworkPolicy allows ingress to it"
                    )
    return errors


def load(paths):
    docs = []
    for path in paths:
        with open(path) as f:
            docs += [d for d in yaml.safe_load_all(f) if isinstance(d, dict)]
    return docs


GOOD = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: good}
spec:
  replicas: 2
  selector: {matchLabels: {app: good}}
  template:
    metadata: {labels: {app: good}}
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
        - name: c
          image: repo/good:1.0.0
          ports: [{name: http, containerPort: 8080}]
          securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
          resources: {requests: {cpu: 10m, memory: 10Mi}, limits: {memory: 10Mi}}
          livenessProbe: {httpGet: {path: /healthz, port: http}}
          readinessProbe: {httpGet: {path: /readyz, port: http}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: good}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: good}}}
---
apiVersion: v1
kind: Service
metadata: {name: good}
spec: {selector: {app: good}, ports: [{name: http, port: 80, targetPort: http}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: good}
spec:
  podSelector: {matchLabels: {app: good}}
  policyTypes: [Ingress]
  ingress: [{ports: [{port: http}]}]
"""


def self_test():
    """Each rule must pass the good manifest and fail one broken in exactly that way."""
    base = list(yaml.safe_load_all(GOOD))
    assert check(base) == [], check(base)

    def broken(mutate):
        docs = yaml.safe_load_all(GOOD)
        docs = [d for d in docs]
        mutate(docs)
        return docs

    def container(docs):
        return docs[0]["spec"]["template"]["spec"]["containers"][0]

    cases = {
        "resources": lambda d: container(d).pop("resources"),
        "probes": lambda d: container(d).pop("readinessProbe"),
        "non-root": lambda d: d[0]["spec"]["template"]["spec"]["securityContext"].update(runAsNonRoot=False),
        "ro-root": lambda d: container(d)["securityContext"].update(readOnlyRootFilesystem=False),
        "escalation": lambda d: container(d)["securityContext"].pop("allowPrivilegeEscalation"),
        "image-tag": lambda d: container(d).update(image="repo/good:latest"),
        "image-tag ": lambda d: container(d).update(image="repo/good"),
        "pdb": lambda d: d.pop(1),
        "pdb ": lambda d: (d.pop(1), d[0]["spec"].update(replicas=1), d.append(
            {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "good"},
             "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "good"}}})),
        "netpol": lambda d: d.pop(3),
        "netpol ": lambda d: d[3]["spec"]["ingress"][0].update(ports=[{"port": 9999}]),
    }
    failed = 0
    for rule, mutate in cases.items():
        errors = check(broken(mutate))
        hit = [e for e in errors if e.startswith(rule.strip() + ":")]
        status = "ok  " if hit else "FAIL"
        if not hit:
            failed += 1
        print(f"  {status} rule {rule.strip():<10} rejects a bad manifest: {hit[0] if hit else errors}")
    if failed:
        print(f"policy self-test: {failed} rule(s) did not fire")
        return 1
    print(f"policy self-test: all {len(cases)} cases rejected, the good manifest passes")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) < 2:
        print(__doc__)
        return 2
    docs = load(argv[1:])
    errors = check(docs)
    for e in errors:
        print(f"  policy violation: {e}")
    kinds = {}
    for d in docs:
        kinds[d.get("kind")] = kinds.get(d.get("kind"), 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
    if errors:
        print(f"policy: {len(errors)} violation(s) in {', '.join(argv[1:])}")
        return 1
    print(f"policy: ok ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
