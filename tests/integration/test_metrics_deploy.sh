#!/usr/bin/env bash
# deploy/ stays consistent and valid without a Docker engine or a cluster:
# - alert rules pass `promtool check rules` and their unit tests (`promtool test rules`);
# - the compose Prometheus config passes `promtool check config` with the rules loaded;
# - every YAML file parses; the Grafana dashboard is valid JSON;
# - every kafka_s3_sink_* metric used by the dashboard and the alerts exists (README list, which
#   a unit test keeps equal to metrics/sink_metrics.cpp);
# - files mounted by docker-compose and listed by kustomization exist; probes hit /healthz and
#   /readyz on the port the sink listens on; the shutdown deadline fits the grace period; the
#   StatefulSet overlay's kafka.assign.replicas equals its replicas;
# - `kafka-s3-sink --validate` accepts the compose and Kubernetes configurations.
KS3_BUILD=${1:?usage: $0 BUILD_DIR}
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/prometheus.sh"
deploy="$KS3_ROOT/deploy"

out=$(promtool check rules "$deploy/prometheus/alerts.yml" 2>&1) || fail "alerts.yml: $out"
out=$(cd "$deploy/prometheus" && promtool test rules alerts_test.yml 2>&1) ||
  fail "alert rule unit tests failed: $out"

# The compose config loads the rules from the container path; point it at the repository copy.
sed "s|/etc/prometheus/rules/alerts.yml|$deploy/prometheus/alerts.yml|" \
  "$deploy/compose/prometheus.yml" >"$KS3_WORK/prometheus.yml"
out=$(promtool check config "$KS3_WORK/prometheus.yml" 2>&1) || fail "compose prometheus.yml: $out"

jq -e '.panels | length > 10' "$deploy/grafana/dashboards/kafka-s3-sink.json" >/dev/null ||
  fail "the Grafana dashboard is not valid JSON or has no panels"

"$KS3_PYTHON" - "$KS3_ROOT" <<'PY' || fail "deploy/ consistency check failed (see above)"
import glob, json, os, re, sys
import yaml

root = sys.argv[1]
deploy = os.path.join(root, "deploy")
errors = []

docs = {}
for path in sorted(glob.glob(f"{deploy}/**/*.y*ml", recursive=True)):
    try:
        with open(path) as f:
            docs[os.path.relpath(path, deploy)] = [d for d in yaml.safe_load_all(f) if d is not None]
    except yaml.YAMLError as e:
        errors.append(f"{path}: invalid YAML: {e}")

# Metric names: the README's Metrics section is the documented catalog.
readme = open(os.path.join(root, "README.md")).read()
section = readme.split("\n## Metrics\n", 1)[1].split("\n## ", 1)[0]
known = set(re.findall(r"`(kafka_s3_sink_[a-z0-9_]+)", section))
used = {}
for rel in ["grafana/dashboards/kafka-s3-sink.json", "prometheus/alerts.yml"]:
    text = open(os.path.join(deploy, rel)).read()
    for name in re.findall(r"kafka_s3_sink_[a-z0-9_]+", text):
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        if base not in known and name not in known:
            errors.append(f"deploy/{rel} uses {name}, which the sink does not export")

# docker-compose: bind-mounted files exist; the Dockerfile exists.
compose = docs["docker-compose.yml"][0]
for svc, spec in compose["services"].items():
    for vol in spec.get("volumes", []):
        src = vol.split(":")[0]
        if src.startswith("."):
            if not os.path.exists(os.path.join(deploy, src)):
                errors.append(f"docker-compose service {svc} mounts missing {src}")
    build = spec.get("build")
    if build and not os.path.exists(os.path.join(deploy, build["context"], build["dockerfile"])):
        errors.append(f"docker-compose service {svc}: Dockerfile not found")

# Kubernetes: kustomization resources exist; probes and ports agree with the sink's listener.
kust = docs["kubernetes/kustomization.yaml"][0]
for res in kust["resources"]:
    if not os.path.exists(os.path.join(deploy, "kubernetes", res)):
        errors.append(f"kustomization lists missing {res}")
deployment = docs["kubernetes/deployment.yaml"][0]
# The event log and the document mirror: two Deployments whose selectors never overlap.
mirror_deployment = docs["kubernetes/deployment-mirror.yaml"][0]
selectors = [d["spec"]["selector"]["matchLabels"] for d in (deployment, mirror_deployment)]
if selectors[0] == selectors[1]:
    errors.append("deployment.yaml and deployment-mirror.yaml select the same pods")
for d in (deployment, mirror_deployment):
    labels = d["spec"]["template"]["metadata"]["labels"]
    if any(labels.get(k) != v for k, v in d["spec"]["selector"]["matchLabels"].items()):
        errors.append(f"{d['metadata']['name']}: pod labels do not match the selector")
mirror_config = yaml.safe_load(docs["kubernetes/configmap-mirror.yaml"][0]["data"]["config.yaml"])
if mirror_config.get("mode") != "mirror" or \
        mirror_config["kafka"]["group_id"] == yaml.safe_load(
            docs["kubernetes/configmap.yaml"][0]["data"]["config.yaml"])["kafka"]["group_id"]:
    errors.append("configmap-mirror.yaml must be mode: mirror in its own consumer group")
container = deployment["spec"]["template"]["spec"]["containers"][0]
if container["livenessProbe"]["httpGet"]["path"] != "/healthz":
    errors.append("livenessProbe must use /healthz")
if container["readinessProbe"]["httpGet"]["path"] != "/readyz":
    errors.append("readinessProbe must use /readyz")
port = container["ports"][0]["containerPort"]
sink_config = yaml.safe_load(docs["kubernetes/configmap.yaml"][0]["data"]["config.yaml"])
for where, cfg in [("configmap", sink_config),
                   ("compose/config.yaml", docs["compose/config.yaml"][0])]:
    listen = cfg["http"]["listen"]
    if not listen.startswith("0.0.0.0:") or int(listen.rsplit(":", 1)[1]) != port:
        errors.append(f"{where}: http.listen {listen} must be 0.0.0.0:{port} to be probed")
grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
deadline = sink_config["shutdown_deadline"]
if not (deadline.endswith("s") and int(deadline[:-1]) < grace):
    errors.append(f"shutdown_deadline {deadline} must be under terminationGracePeriodSeconds {grace}")
sc = deployment["spec"]["template"]["spec"]["securityContext"]
if not sc.get("runAsNonRoot"):
    errors.append("the pod must run as non-root")

# The StatefulSet overlay (static assignment, kafka.assign by pod ordinal).
overlay = os.path.join(deploy, "kubernetes", "statefulset")
for res in docs["kubernetes/statefulset/kustomization.yaml"][0]["resources"]:
    if not os.path.exists(os.path.join(overlay, res)):
        errors.append(f"statefulset/kustomization.yaml lists missing {res}")
sts = docs["kubernetes/statefulset/statefulset.yaml"][0]
headless = docs["kubernetes/statefulset/service-headless.yaml"][0]
static_map = docs["kubernetes/statefulset/configmap.yaml"][0]
static_config = yaml.safe_load(static_map["data"]["config.yaml"])
assign = static_config["kafka"].get("assign", {})
if assign.get("replicas") != sts["spec"]["replicas"] or assign.get("ordinal") != "auto":
    errors.append("statefulset: kafka.assign must be {replicas: spec.replicas, ordinal: auto}")
if sts["spec"]["serviceName"] != headless["metadata"]["name"] or \
        headless["spec"].get("clusterIP") != "None":
    errors.append("statefulset: serviceName must name the headless service")
if static_config["kafka"]["group_id"] in (sink_config["kafka"]["group_id"],
                                         mirror_config["kafka"]["group_id"]):
    errors.append("statefulset: the static assignment needs a group id no consumer group uses")
sts_spec = sts["spec"]["template"]["spec"]
if sts_spec["volumes"][0]["configMap"]["name"] != static_map["metadata"]["name"]:
    errors.append("statefulset: mounts another ConfigMap than statefulset/configmap.yaml")
if sts["spec"]["selector"]["matchLabels"] in selectors or \
        sts["spec"]["selector"]["matchLabels"] != headless["spec"]["selector"]:
    errors.append("statefulset: its selector must be its own and the headless service's")
if any(sts["spec"]["template"]["metadata"]["labels"].get(k) != v
       for k, v in sts["spec"]["selector"]["matchLabels"].items()):
    errors.append("statefulset: pod labels do not match the selector")
sts_deadline = static_config["shutdown_deadline"]
if not (sts_deadline.endswith("s") and
        int(sts_deadline[:-1]) < sts_spec["terminationGracePeriodSeconds"]):
    errors.append("statefulset: shutdown_deadline must be under terminationGracePeriodSeconds")
if not sts_spec["securityContext"].get("runAsNonRoot"):
    errors.append("statefulset: the pod must run as non-root")

for e in errors:
    print("deploy check:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
grep -q '^USER 10001' "$deploy/Dockerfile" || fail "the image must run as a non-root user"

# The sink accepts the shipped configurations (credentials come from the environment there).
sink_bin="$KS3_BUILD/server/kafka-s3-sink"
[ -x "$sink_bin" ] || fail "$sink_bin not built"
for map in configmap configmap-mirror statefulset/configmap; do
  "$KS3_PYTHON" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["data"]["config.yaml"])' \
    "$deploy/kubernetes/$map.yaml" >"$KS3_WORK/k8s-${map//\//-}.yaml"
done
# ordinal: auto reads the pod name, which this host does not have: the environment sets it.
for cfg in "$deploy/compose/config.yaml" "$deploy/compose/config-mirror.yaml" \
  "$KS3_WORK/k8s-configmap.yaml" "$KS3_WORK/k8s-configmap-mirror.yaml" \
  "$KS3_WORK/k8s-statefulset-configmap.yaml"; do
  ordinal=()
  [[ $cfg == *statefulset* ]] && ordinal=(KAFKA_S3_SINK_KAFKA__ASSIGN__ORDINAL=1)
  out=$(env -u AWS_PROFILE -u AWS_ROLE_ARN -u AWS_WEB_IDENTITY_TOKEN_FILE \
    AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example-secret "${ordinal[@]}" \
    "$sink_bin" --validate --config "$cfg" 2>&1) || fail "kafka-s3-sink --validate rejects $cfg: $out"
done
grep -q '^# kafka assignment: static, ordinal 1 of 2' <<<"$out" ||
  fail "--validate of the StatefulSet configuration does not print its rule: $out"
note "ok: rules, rule tests, prometheus config, dashboard, compose and kubernetes manifests (event log, mirror, StatefulSet), --validate"
