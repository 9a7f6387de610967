#!/usr/bin/python3
"""Checks every file under deploy/ and dashboards/ that a tool reads:

- every .yml/.yaml parses as YAML and every .json as JSON;
- the Kubernetes DaemonSet is hardened as the README promises;
- the PrometheusRule carries exactly the groups of the rules file, and is
  byte for byte what generate-prometheusrule.sh writes (no drift).

Exits 1 naming every problem found.
"""
import json
import pathlib
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
    expectations = {
        "hostNetwork": pod.get("hostNetwork") is True,
        "runAsNonRoot": pod["securityContext"].get("runAsNonRoot") is True,
        "readOnlyRootFilesystem": security.get("readOnlyRootFilesystem") is True,
        "allowPrivilegeEscalation false": security.get("allowPrivilegeEscalation") is False,
        "capabilities dropped": security.get("capabilities", {}).get("drop") == ["ALL"],
        "resource requests": bool(container.get("resources", {}).get("requests")),
        "resource limits": bool(container.get("resources", {}).get("limits")),
    }
    for what, ok in expectations.items():
        if not ok:
            problems.append(f"deploy/kubernetes/daemonset.yml: not {what}")
    print("daemonset: checked", ", ".join(expectations))


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


check_parse()
check_daemonset()
check_prometheusrule()
for problem in problems:
    print("PROBLEM:", problem)
sys.exit(1 if problems else 0)
