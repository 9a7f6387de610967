#!/usr/bin/python3
"""Renders deploy/kubernetes as a user would and checks what comes out:

- `kubectl kustomize` renders it alone, in an overlay that sets `images:` as
  the README says (the DaemonSet then names that image), and in an overlay
  with each component under deploy/kubernetes/components/;
- every rendered object is valid against the Kubernetes API's schemas,
  offline (kube-schema/validate.js: kubernetes-models' validators, compiled
  from the API's OpenAPI schemas, and TypeScript's check for unknown
  fields), installed with `npm ci` from the pinned lock into BUILD_DIR;
- the DaemonSet is one that tests/container/daemonset.py can run as a node
  would (container_image_runs_as_the_daemonset does); a component may add
  init containers, which that cannot run, but must leave the rest of the
  pod as the shipped DaemonSet has it;
- each component's init containers, run with sh in a network namespace of
  their own (never the node's), do what they say: pod-hash-tables sets
  that namespace's net.ipv4.tcp_child_ehash_entries to its ENTRIES;
- the exporter, started with the rendered DaemonSet's arguments in a network
  namespace of its own, answers its readiness probe and serves /metrics:
  a flag it rejects fails here.

Usage: check_kubernetes.py BUILD_DIR EXPORTER. Exits 1 naming every problem,
77 when only the last check was skipped (it needs root, outside CI).
"""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.dont_write_bytecode = True
sys.path.insert(0, str(ROOT / "tests/container"))
import daemonset  # noqa: E402

KUSTOMIZATION = ROOT / "deploy/kubernetes"
SCHEMA = pathlib.Path(__file__).resolve().parent / "kube-schema"
USER_IMAGE = ("example.org/mine/halfopen_exporter", "1.2.3")
problems = []


def overlay(work, name, body):
    """A kustomization in work/name over deploy/kubernetes."""
    folder = work / name
    folder.mkdir()
    relative = os.path.relpath(KUSTOMIZATION, folder)
    text = f"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" \
           f"resources:\n  - {relative}\n{body}"
    (folder / "kustomization.yaml").write_text(text)
    return folder


def image_of(objects):
    return daemonset.daemonset(objects)["spec"]["template"]["spec"][
        "containers"][0]["image"]


def renderings(work):
    """{what: rendered objects} for the shipped kustomization and overlays."""
    result = {"deploy/kubernetes": daemonset.render(KUSTOMIZATION)}
    placeholder = image_of(result["deploy/kubernetes"]).rpartition(":")[0]
    images = overlay(work, "images", f"images:\n  - name: {placeholder}\n"
                     f"    newName: {USER_IMAGE[0]}\n    newTag: \"{USER_IMAGE[1]}\"\n")
    result["an overlay setting images"] = daemonset.render(images)
    image = image_of(result["an overlay setting images"])
    if image != ":".join(USER_IMAGE):
        problems.append(f"an overlay's images entry for {placeholder} left the "
                        f"DaemonSet's image at {image}")
    components = sorted(p for p in (KUSTOMIZATION / "components").glob("*")
                        if (p / "kustomization.yaml").is_file())
    for component in components:
        name = "component-" + component.name
        relative = os.path.relpath(component, work / name)
        folder = overlay(work, name, f"components:\n  - {relative}\n")
        result[f"component {component.name}"] = daemonset.render(folder)
    print(f"rendered: {', '.join(result)}")
    return result


def validate(build_dir, rendered, work):
    installed = pathlib.Path(build_dir) / "kube-schema"
    installed.mkdir(parents=True, exist_ok=True)
    lock = (SCHEMA / "package-lock.json").read_text()
    stamp = installed / "node_modules/.halfopen-lock"
    for name in ("package.json", "package-lock.json", "validate.js"):
        shutil.copy2(SCHEMA / name, installed / name)
    if not stamp.is_file() or stamp.read_text() != lock:
        npm = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"],
                             cwd=installed, capture_output=True, text=True)
        if npm.returncode != 0:
            problems.append(f"npm ci in {installed} failed: {npm.stderr[-2000:]}")
            return
        stamp.write_text(lock)
    path = work / "renderings.json"
    path.write_text(json.dumps(rendered))
    result = subprocess.run(["node", str(installed / "validate.js"), str(path)],
                            capture_output=True, text=True)
    print(result.stdout + result.stderr, end="")
    if result.returncode != 0:
        problems.append("rendered objects are not valid (above)")


def without_init_containers(what, objects, shipped):
    """The rendering's DaemonSet without its init containers, and those; a
    problem if anything else differs from the shipped DaemonSet."""
    ds = json.loads(json.dumps(daemonset.daemonset(objects)))
    inits = ds["spec"]["template"]["spec"].pop("initContainers", [])
    if inits and ds != daemonset.daemonset(shipped):
        problems.append(f"{what} changes the DaemonSet beyond its init containers")
    return ds, inits


def run_init_container(what, init, image):
    """Runs an init container's sh script as root in a new network namespace
    and checks that it set that namespace's tcp_child_ehash_entries."""
    if init.get("image") != image:
        problems.append(f"{what}: init container {init['name']} runs "
                        f"{init.get('image')}, not the exporter's image {image}")
    if not init.get("securityContext", {}).get("privileged"):
        problems.append(f"{what}: init container {init['name']} is not "
                        f"privileged: /proc/sys is read-only to it")
    command = init.get("command", [])
    if command[:2] != ["/bin/sh", "-c"] or len(command) != 3:
        problems.append(f"{what}: init container {init['name']} is not a "
                        f"/bin/sh -c script: {command}")
        return
    env = {v["name"]: v["value"] for v in init.get("env", [])}
    knob = "/proc/sys/net/ipv4/tcp_child_ehash_entries"
    name = f"hoe-k8s-{os.getpid()}-init"
    host_before = pathlib.Path(knob).read_text() if os.path.exists(knob) else ""
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        run = subprocess.run(["ip", "netns", "exec", name, "env",
                              *[f"{k}={v}" for k, v in env.items()],
                              "/bin/sh", "-c", command[2]],
                             capture_output=True, text=True)
        value = subprocess.run(["ip", "netns", "exec", name, "cat", knob],
                               capture_output=True, text=True).stdout.strip()
    finally:
        subprocess.run(["ip", "netns", "del", name])
    host_after = pathlib.Path(knob).read_text() if os.path.exists(knob) else ""
    wanted = env.get("ENTRIES") if host_before else ""
    if run.returncode != 0 or value != (wanted or ""):
        problems.append(f"{what}: init container {init['name']} left "
                        f"tcp_child_ehash_entries at {value!r}, want "
                        f"{wanted!r}: {run.stdout}{run.stderr}")
    else:
        print(f"{what}: init container {init['name']}: {run.stdout.strip()}")
    if host_after != host_before:
        problems.append(f"{what}: the node's tcp_child_ehash_entries changed")


def start_with_rendered_args(exporter, ds):
    """Runs the exporter with the DaemonSet's arguments in a new network
    namespace, where its port is free, until its probe answers."""
    args = ds["spec"]["template"]["spec"]["containers"][0].get("args", [])
    probe = daemonset.probe_url(ds)
    name = f"hoe-k8s-{os.getpid()}-0"
    subprocess.run(["ip", "netns", "add", name], check=True)
    process = None
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        process = subprocess.Popen(["ip", "netns", "exec", name, exporter, *args],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            probe_result = subprocess.run(
                ["ip", "netns", "exec", name, "curl", "-sf", "-o", "/dev/null", probe])
            if probe_result.returncode == 0:
                break
            time.sleep(0.1)
        metrics = subprocess.run(["ip", "netns", "exec", name, "curl", "-sf",
                                  probe.rsplit("/", 2)[0] + "/metrics"],
                                 capture_output=True, text=True).stdout
        if process.poll() is not None or "halfopen_build_info" not in metrics:
            process.kill()
            problems.append(f"the exporter with the DaemonSet's arguments {args} did "
                            f"not serve {probe} and /metrics:\n"
                            f"{process.communicate()[0][-2000:]}")
        else:
            print(f"exporter {' '.join(args)}: {probe} answers, /metrics served")
    finally:
        if process and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
        subprocess.run(["ip", "netns", "del", name])


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[-1], file=sys.stderr)
        return 2
    build_dir, exporter = sys.argv[1:]
    skipped = False
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        try:
            rendered = renderings(work)
            validate(build_dir, rendered, work)
            shipped = rendered["deploy/kubernetes"]
            inits = {}
            for what, objects in rendered.items():
                ds, inits[what] = without_init_containers(what, objects, shipped)
                daemonset.podman_run(ds)
            print("every rendering's DaemonSet can be run as a node would")
            if any(inits[w] for w in inits if not w.startswith("component")):
                problems.append("an init container outside a component: "
                                "components must be off by default")
            image = image_of(shipped)
            for what, containers in inits.items():
                for init in containers:
                    if os.geteuid() == 0:
                        run_init_container(what, init, image)
                    elif os.environ.get("CI") == "true":
                        problems.append("running init containers needs root")
            if os.geteuid() == 0:
                start_with_rendered_args(exporter, daemonset.daemonset(
                    rendered["deploy/kubernetes"]))
            elif os.environ.get("CI") == "true":
                problems.append("starting the exporter in a namespace needs root")
            else:
                print("skipped: starting the exporter in a network namespace needs root")
                skipped = True
        except daemonset.Unsupported as error:
            problems.append(str(error))
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 77 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
