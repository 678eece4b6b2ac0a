"""Reading `helm template` output for scripts/helm-check.sh's wiring checks."""
import yaml


def loader(out):
    """docs(name): the non-empty documents of <out>/<name>.yaml."""
    def docs(name):
        return [d for d in yaml.safe_load_all(open(f"{out}/{name}.yaml")) if d]
    return docs


def find(ds, kind, name):
    return next((d for d in ds if d["kind"] == kind and d["metadata"]["name"] == name), None)


def peers_of(rule):
    """Components a NetworkPolicy rule admits (from) or reaches (to)."""
    return [p.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/component") for p in rule.get("from", rule.get("to", []))]


def namespaces_of(rule):
    return [p.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name") for p in rule.get("from", [])]
