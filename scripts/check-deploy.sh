#!/usr/bin/env bash
# Validates what deploy/ ships, with the tools that can run without a container engine or a
# cluster: hadolint for the Dockerfile, the Compose specification's JSON schema for the compose
# file, kubernetes-validate (the Kubernetes 1.37 schemas, strict) for the manifests, and Vigil's
# own checks for every configuration, rule and Alertmanager file in them (the ConfigMap's files
# are taken out of it first). Needs a built vigil (swift build).
set -euo pipefail
cd "$(dirname "$0")/.."
vigil="$(swift build --show-bin-path)/vigil"

hadolint deploy/docker/Dockerfile
check-jsonschema --builtin-schema vendor.compose-spec deploy/docker/docker-compose.yml
kubernetes-validate --strict deploy/kubernetes/*.yaml deploy/kubernetes/sharded/shard-*.yaml

"$vigil" check config deploy/docker/prometheus.yml
"$vigil" check alertmanager deploy/docker/alertmanager.yml

configmap="$(mktemp -d)"
trap 'rm -rf "$configmap"' EXIT
python3 - "$configmap" <<'PY'
import os, sys, yaml
out = sys.argv[1]
for doc in yaml.safe_load_all(open("deploy/kubernetes/configmap.yaml")):
    for name, text in doc["data"].items():
        # Inside the pod the files sit in /etc/vigil; here, in the temporary folder.
        open(f"{out}/{name}", "w").write(text.replace("/etc/vigil/", out + "/"))
# The sharded overlay: every file its kustomization names exists, and each shard's config is
# taken out of its ConfigMap.
overlay = "deploy/kubernetes/sharded"
for resource in yaml.safe_load(open(f"{overlay}/kustomization.yaml"))["resources"]:
    assert os.path.exists(f"{overlay}/{resource}"), f"{overlay}/kustomization.yaml names a missing {resource}"
    if resource.startswith("shard-"):
        for doc in yaml.safe_load_all(open(f"{overlay}/{resource}")):
            if doc["kind"] == "ConfigMap":
                open(f"{out}/{doc['metadata']['name']}.yml", "w").write(doc["data"]["prometheus.yml"])
PY
"$vigil" check config "$configmap/prometheus.yml"
"$vigil" check alertmanager "$configmap/alertmanager.yml"
for shard in "$configmap"/vigil-shard-*-config.yml; do "$vigil" check config "$shard"; done
echo "check-deploy: Dockerfile, compose file, manifests and their configurations are valid"
