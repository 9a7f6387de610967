"""The rendered DaemonSet, and how a node's container runtime would run it.

render() runs `kubectl kustomize` on a kustomization directory and returns
its objects. podman_run() turns the DaemonSet's pod template into the
`podman run` arguments that give its container what the kubelet would: the
host's network and PID namespaces, the user, the capabilities (dropped and
added, effective for root only, as Kubernetes has it), no new privileges, a
read-only root without podman's tmpfs mounts, the seccomp and AppArmor
profiles, the hostPath volumes with their propagation, the resource limits
and the arguments. A field it cannot reproduce raises Unsupported, naming
it, rather than running something else than the manifest says.
"""
import json
import shutil
import subprocess

# Fields that matter only to a cluster (scheduling, the API, DNS inside the
# cluster, the pod's grace period): a local run is the same without them.
CLUSTER_ONLY_POD = {"tolerations", "dnsPolicy", "automountServiceAccountToken",
                    "terminationGracePeriodSeconds", "priorityClassName",
                    "serviceAccountName", "nodeSelector", "affinity"}
CLUSTER_ONLY_CONTAINER = {"name", "ports", "livenessProbe", "readinessProbe",
                          "startupProbe", "terminationMessagePolicy"}
PROPAGATION = {None: "rprivate", "None": "rprivate",
               "HostToContainer": "rslave", "Bidirectional": "rshared"}


class Unsupported(Exception):
    """The manifest asks for something this translation cannot reproduce."""


def render(directory):
    """The objects `kubectl kustomize DIRECTORY` renders, as dicts."""
    import yaml  # python3-yaml; imported here so --help works without it
    if not shutil.which("kubectl"):
        raise Unsupported("kubectl is not installed: the manifests are rendered "
                          "with its kustomize (kubectl 1.24 or later)")
    result = subprocess.run(["kubectl", "kustomize", str(directory)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise Unsupported(f"kubectl kustomize {directory} failed: "
                          f"{result.stderr.strip()}")
    return [o for o in yaml.safe_load_all(result.stdout) if o]


def daemonset(objects):
    """The one DaemonSet among the rendered objects."""
    found = [o for o in objects if o.get("kind") == "DaemonSet"]
    if len(found) != 1:
        raise Unsupported(f"want one DaemonSet in the rendered objects, "
                          f"found {len(found)}")
    return found[0]


def _only(mapping, allowed, where):
    unknown = sorted(set(mapping) - set(allowed))
    if unknown:
        raise Unsupported(f"{where}: {', '.join(unknown)} is not reproduced "
                          "by tests/container/daemonset.py")


def effective_security(pod, container):
    """The container's security settings, the pod's filling in the gaps."""
    merged = dict(pod.get("securityContext", {}))
    merged.update(container.get("securityContext", {}))
    return merged


def _security_args(security):
    _only(security, {"runAsUser", "runAsGroup", "runAsNonRoot", "seccompProfile",
                     "appArmorProfile", "allowPrivilegeEscalation",
                     "readOnlyRootFilesystem", "capabilities", "privileged"},
          "securityContext")
    args = []
    user = security.get("runAsUser")
    group = security.get("runAsGroup")
    if user is not None:
        args += ["--user", f"{user}:{group if group is not None else user}"]
    if security.get("runAsNonRoot") and user == 0:
        raise Unsupported("runAsNonRoot with user 0: the kubelet refuses to start it")
    if security.get("privileged"):
        args.append("--privileged")
    if security.get("allowPrivilegeEscalation") is False:
        args += ["--security-opt", "no-new-privileges"]
    if security.get("readOnlyRootFilesystem"):
        args += ["--read-only", "--read-only-tmpfs=false"]
    capabilities = security.get("capabilities", {})
    _only(capabilities, {"add", "drop"}, "capabilities")
    args += [f"--cap-drop={c}" for c in capabilities.get("drop", [])]
    args += [f"--cap-add={c}" for c in capabilities.get("add", [])]
    # Without a profile Kubernetes runs the container unconfined.
    seccomp = security.get("seccompProfile", {}).get("type", "Unconfined")
    if seccomp == "Unconfined":
        args += ["--security-opt", "seccomp=unconfined"]
    elif seccomp != "RuntimeDefault":
        raise Unsupported(f"seccompProfile {seccomp}")
    apparmor = security.get("appArmorProfile", {}).get("type", "RuntimeDefault")
    if apparmor == "Unconfined":
        args += ["--security-opt", "apparmor=unconfined"]
    elif apparmor != "RuntimeDefault":
        raise Unsupported(f"appArmorProfile {apparmor}")
    return args


def expected_capabilities(security, uid):
    """The capabilities the container's process, running as uid, should
    have: Kubernetes gives the added ones to root only (no ambient set)."""
    if uid != 0:
        return set()
    capabilities = security.get("capabilities", {})
    if capabilities.get("drop") != ["ALL"]:
        raise Unsupported("capabilities.drop is not [ALL]: the runtime's default "
                          "set differs between containerd and podman")
    return {"CAP_" + c for c in capabilities.get("add", [])}


def _volume_args(pod, container, prepare):
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    args = []
    for mount in container.get("volumeMounts", []):
        _only(mount, {"name", "mountPath", "readOnly", "mountPropagation"},
              f"volumeMount {mount.get('name')}")
        volume = volumes.get(mount["name"], {})
        _only(volume, {"name", "hostPath"}, f"volume {mount['name']}")
        host = volume["hostPath"]
        if host.get("type") == "DirectoryOrCreate" and prepare:
            prepare(host["path"])
        elif host.get("type") not in (None, "", "Directory", "DirectoryOrCreate"):
            raise Unsupported(f"hostPath type {host.get('type')}")
        options = [f"type=bind,src={host['path']},dst={mount['mountPath']}",
                   f"bind-propagation={PROPAGATION[mount.get('mountPropagation')]}"]
        if mount.get("readOnly"):
            options.append("ro=true")
        args += ["--mount", ",".join(options)]
    return args


def _limit_args(container):
    limits = container.get("resources", {}).get("limits", {})
    args = []
    memory = limits.get("memory")
    if memory:
        units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}
        number, unit = memory[:-2], memory[-2:]
        if unit not in units:
            raise Unsupported(f"memory limit {memory}")
        args.append(f"--memory={int(number) * units[unit]}")
    cpu = str(limits.get("cpu", ""))
    if cpu:
        cores = int(cpu[:-1]) / 1000 if cpu.endswith("m") else float(cpu)
        args.append(f"--cpus={cores}")
    return args


def podman_run(ds, prepare=None):
    """(podman run options, image, arguments) for the DaemonSet's container.

    prepare(path) is called for each DirectoryOrCreate hostPath, to create
    it as the kubelet would."""
    pod = ds["spec"]["template"]["spec"]
    _only(pod, CLUSTER_ONLY_POD | {"hostNetwork", "hostPID", "hostIPC",
                                   "securityContext", "containers", "volumes"},
          "pod spec")
    if len(pod["containers"]) != 1:
        raise Unsupported("more than one container")
    container = pod["containers"][0]
    _only(container, CLUSTER_ONLY_CONTAINER | {
        "image", "imagePullPolicy", "args", "command", "env", "securityContext",
        "volumeMounts", "resources", "workingDir"}, "container")
    if not pod.get("hostNetwork"):
        raise Unsupported("a pod network: only hostNetwork is reproduced")
    options = ["--network", "host"]
    if pod.get("hostPID"):
        options += ["--pid", "host"]
    if pod.get("hostIPC"):
        options += ["--ipc", "host"]
    image = container["image"]
    policy = container.get("imagePullPolicy") or (
        "Always" if image.endswith(":latest") or ":" not in image.split("/")[-1]
        else "IfNotPresent")
    options.append("--pull=" + {"Always": "always", "IfNotPresent": "missing",
                                "Never": "never"}[policy])
    if "command" in container:
        options += ["--entrypoint", json.dumps(container["command"])]
    if "workingDir" in container:
        options += ["--workdir", container["workingDir"]]
    for variable in container.get("env", []):
        _only(variable, {"name", "value"}, f"env {variable.get('name')}")
        options += ["--env", f"{variable['name']}={variable.get('value', '')}"]
    options += _security_args(effective_security(pod, container))
    options += _volume_args(pod, container, prepare)
    options += _limit_args(container)
    return options, image, list(container.get("args", []))


def probe_url(ds):
    """http://127.0.0.1:<port><path> of the container's readiness probe
    (the liveness probe without one), resolving a named port."""
    container = ds["spec"]["template"]["spec"]["containers"][0]
    probe = container.get("readinessProbe") or container.get("livenessProbe")
    if not probe or "httpGet" not in probe:
        raise Unsupported("no httpGet readiness or liveness probe")
    port = probe["httpGet"]["port"]
    if isinstance(port, str):
        named = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
        if port not in named:
            raise Unsupported(f"probe port {port} names no container port")
        port = named[port]
    return f"http://127.0.0.1:{port}{probe['httpGet'].get('path', '/')}"
