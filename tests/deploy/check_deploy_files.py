#!/usr/bin/python3
"""Checks every file under deploy/ and dashboards/ that a tool reads:

- every .yml/.yaml parses as YAML and every .json as JSON;
- the Kubernetes DaemonSet is hardened as the README promises: with
  --netns.scope=all, the host's network and PIDs, root with every capability
  dropped but SYS_ADMIN, SYS_PTRACE and DAC_READ_SEARCH, no privileged mode or
  escalation, a
  read-only root filesystem and /run/netns mounted read-only;
- the systemd drop-in for --netns.scope=all grants those three
  capabilities and no others;
- the PrometheusRule carries exactly the groups of the rules file, and is
  byte for byte what generate-prometheusrule.sh writes (no drift);
- kustomization.yaml lists every manifest and only existing ones, sets the
  DaemonSet's image (a registry-qualified placeholder tagged with the
  project's version), and gives the kube-prometheus-stack `release` label
  the ServiceMonitor and the PrometheusRule carry, never to selectors;
- every alert links its section of the runbook: a runbook_url
  http://{{ $labels.instance }}/runbook#<anchor>, where docs/runbook.md (which
  the exporter serves at /runbook) has a heading with that anchor, and no
  free-text `runbook` annotation; no critical alert for what a single
  socket can cause.

Exits 1 naming every problem found.
"""
import json
import pathlib
import re
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
problems = []


def check_parse():
    files = 0
    for folder in ("deploy", "dashboards"):
        for path in sorted((ROOT / folder).rglob("*")):
            try:
                if path.suffix in (".yml", ".yaml"):
                    list(yaml.safe_load_all(path.read_text()))
                elif path.suffix == ".json":
                    json.loads(path.read_text())
                else:
                    continue
                files += 1
            except (yaml.YAMLError, json.JSONDecodeError) as error:
                problems.append(f"{path.relative_to(ROOT)}: {error}")
    print(f"parsed {files} YAML/JSON files")


def check_daemonset():
    daemonset = yaml.safe_load((ROOT / "deploy/kubernetes/daemonset.yml").read_text())
    pod = daemonset["spec"]["template"]["spec"]
    container = pod["containers"][0]
    security = container["securityContext"]
    mounts = {m["name"]: m for m in container.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    run_netns = mounts.get("run-netns", {})
    expectations = {
        "hostNetwork": pod.get("hostNetwork") is True,
        "hostPID": pod.get("hostPID") is True,
        "--netns.scope=all": "--netns.scope=all" in container.get("args", []),
        "readOnlyRootFilesystem": security.get("readOnlyRootFilesystem") is True,
        "allowPrivilegeEscalation false": security.get("allowPrivilegeEscalation") is False,
        "privileged off": not security.get("privileged", False),
        "capabilities dropped": security.get("capabilities", {}).get("drop") == ["ALL"],
        "only SYS_ADMIN, SYS_PTRACE and DAC_READ_SEARCH added": sorted(
            security.get("capabilities", {}).get("add", [])) == [
                "DAC_READ_SEARCH", "SYS_ADMIN", "SYS_PTRACE"],
        "/run/netns mounted read-only": run_netns.get("mountPath") == "/run/netns"
            and run_netns.get("readOnly") is True
            and volumes.get("run-netns", {}).get("hostPath", {}).get("path") == "/run/netns",
        "resource requests": bool(container.get("resources", {}).get("requests")),
        "resource limits": bool(container.get("resources", {}).get("limits")),
    }
    for what, ok in expectations.items():
        if not ok:
            problems.append(f"deploy/kubernetes/daemonset.yml: not {what}")
    print("daemonset: checked", ", ".join(expectations))


def check_systemd_dropin():
    text = (ROOT / "deploy/systemd/netns-all.conf").read_text()
    settings = {}
    for line in text.splitlines():
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            settings[key] = value
    caps = "CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_DAC_READ_SEARCH"
    want = {"CapabilityBoundingSet": caps,
            "AmbientCapabilities": caps,
            "RestrictNamespaces": "net"}
    for key, value in want.items():
        if settings.get(key) != value:
            problems.append(f"deploy/systemd/netns-all.conf: {key}={settings.get(key)!r}, "
                            f"want {value!r}")
    print("systemd drop-in: capabilities and namespaces checked")


def check_prometheusrule():
    rules = yaml.safe_load((ROOT / "deploy/prometheus/halfopen-rules.yml").read_text())
    committed = (ROOT / "deploy/kubernetes/prometheusrule.yml").read_text()
    generated = subprocess.run(
        [str(ROOT / "deploy/kubernetes/generate-prometheusrule.sh")],
        check=True, capture_output=True, text=True).stdout
    if yaml.safe_load(committed)["spec"]["groups"] != rules["groups"]:
        problems.append("deploy/kubernetes/prometheusrule.yml: groups differ "
                        "from deploy/prometheus/halfopen-rules.yml")
    if committed != generated:
        problems.append("deploy/kubernetes/prometheusrule.yml is stale: run "
                        "deploy/kubernetes/generate-prometheusrule.sh > "
                        "deploy/kubernetes/prometheusrule.yml")
    print("prometheusrule: compared with the rules file and the generator")


def check_kustomization():
    folder = ROOT / "deploy/kubernetes"
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    where = "deploy/kubernetes/kustomization.yaml"
    resources = kustomization.get("resources", [])
    for resource in resources:
        if not (folder / resource).is_file():
            problems.append(f"{where}: resource {resource} does not exist")
    for manifest in sorted(p.name for p in folder.glob("*.yml")):
        if manifest not in resources:
            problems.append(f"{where}: {manifest} is not among the resources")

    version = re.search(r"project\(halfopen_exporter VERSION (\S+)",
                        (ROOT / "CMakeLists.txt").read_text()).group(1)
    daemonset = yaml.safe_load((folder / "daemonset.yml").read_text())
    image = daemonset["spec"]["template"]["spec"]["containers"][0]["image"]
    name, _, tag = image.rpartition(":")
    registry = name.split("/")[0]
    if "/" not in name or not ("." in registry or ":" in registry):
        problems.append(f"daemonset.yml: image {image} names no registry")
    if tag != version:
        problems.append(f"daemonset.yml: image tag {tag}, want {version}")
    images = {entry["name"]: entry for entry in kustomization.get("images", [])}
    if name not in images:
        problems.append(f"{where}: images does not set {name}")
    elif images[name].get("newTag") != version:
        problems.append(f"{where}: newTag {images[name].get('newTag')}, "
                        f"want {version}")

    release = None
    for label in kustomization.get("labels", []):
        if "release" in label.get("pairs", {}):
            release = label["pairs"]["release"]
            if label.get("includeSelectors") or label.get("includeTemplates"):
                problems.append(f"{where}: the release label must not reach "
                                "selectors or pod templates")
    if release is None:
        problems.append(f"{where}: sets no release label")
    for manifest in ("servicemonitor.yml", "prometheusrule.yml"):
        labels = yaml.safe_load((folder / manifest).read_text())["metadata"]["labels"]
        if labels.get("release") != release:
            problems.append(f"{manifest}: release label {labels.get('release')!r}, "
                            f"want {release!r} as in kustomization.yaml")
    print(f"kustomization: {len(resources)} resources, image {name}, "
          f"release={release}")


def github_anchor(heading):
    """The anchor GitHub (and the exporter's /runbook) gives a heading."""
    return "".join(c.lower() if c.isalnum() or c in "-_" else "-"
                   for c in heading if c.isalnum() or c in "-_ ")


def check_runbook_links():
    rules = yaml.safe_load((ROOT / "deploy/prometheus/halfopen-rules.yml").read_text())
    runbook = (ROOT / "docs/runbook.md").read_text()
    anchors = {github_anchor(line.lstrip("#").strip())
               for line in runbook.splitlines() if line.startswith("## ")}
    alerts = [rule for group in rules["groups"] for rule in group["rules"]
              if "alert" in rule]
    for rule in alerts:
        name, annotations = rule["alert"], rule.get("annotations", {})
        if "runbook" in annotations:
            problems.append(f"{name}: a free-text runbook annotation; want runbook_url")
        url = annotations.get("runbook_url", "")
        match = re.fullmatch(r"http://\{\{ \$labels\.instance \}\}/runbook#(.+)", url)
        if not match:
            problems.append(f"{name}: runbook_url {url!r} is not "
                            "http://{{ $labels.instance }}/runbook#<anchor>")
        elif match.group(1) not in anchors or match.group(1) != github_anchor(name):
            problems.append(f"{name}: runbook_url anchor #{match.group(1)} has no "
                            f"'## {name}' section in docs/runbook.md")
        if rule.get("labels", {}).get("severity") == "critical" and \
                "orphaned" in rule.get("expr", ""):
            problems.append(f"{name}: critical for a count that one socket can raise")
    print(f"runbook: {len(alerts)} alerts, {len(anchors)} sections")


check_parse()
check_runbook_links()
check_daemonset()
check_systemd_dropin()
check_prometheusrule()
check_kustomization()
for problem in problems:
    print("PROBLEM:", problem)
sys.exit(1 if problems else 0)
