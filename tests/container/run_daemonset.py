#!/usr/bin/python3
"""Runs the image as the rendered DaemonSet runs it, and checks what it sees.

Usage: run_daemonset.py KUSTOMIZATION_DIR IMAGE REVISION

KUSTOMIZATION_DIR is rendered with kubectl kustomize; its DaemonSet must name
IMAGE, which podman pulls as a node would (by the manifest's pull policy).
Beside the container, on the host: a TCP listener that never accepts, its
queue full; an `ip netns` namespace holding another such listener, its
program python3; and a second container of the image in a network namespace
of its own (podman's --network none), running as the image's user. Then
/metrics, through the address of the manifest's probe, must show:

- both full listeners, in their namespaces (--netns.scope=all), the one in
  the named namespace with its name and its program;
- the other container's namespace with its container ID, and its listener
  with its program (another user's process: CAP_DAC_READ_SEARCH);
- halfopen_build_info carrying REVISION, and every collector succeeding.

And from the host: the process runs as the manifest's user and group, with
exactly the capabilities Kubernetes would give it, no new privileges, the
seccomp filter when RuntimeDefault is asked, and a root filesystem it
cannot write. Exits 1 naming every problem; removes what it made.
"""
import os
import pathlib
import re
import socket
import subprocess
import sys
import time
import urllib.request

sys.dont_write_bytecode = True
import daemonset  # noqa: E402

TAG = f"hoe-ctr-{os.getpid()}"
CAPABILITY_BITS = {"CAP_DAC_READ_SEARCH": 2, "CAP_SYS_PTRACE": 19, "CAP_SYS_ADMIN": 21}
SAMPLE = re.compile(r'^(\w+)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
problems = []


def podman(*args, check=True):
    result = subprocess.run(["podman", *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args[:3])}...: {result.stderr.strip()}")
    return result.stdout.strip()


def netns_inode(path):
    return str(os.stat(path).st_ino)


def full_listener():
    """A listener on 127.0.0.1 with a queue of 1, never accepting, and the
    clients that fill it; the caller keeps the sockets open."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    clients = []
    for _ in range(4):
        client = socket.socket()
        client.setblocking(False)
        client.connect_ex(listener.getsockname())
        clients.append(client)
    return listener.getsockname()[1], [listener, *clients]


# The same, run with python3 inside the named namespace: prints its port.
LISTENER_PROGRAM = """
import socket, sys
listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(1)
clients = [socket.socket() for _ in range(4)]
for c in clients:
    c.setblocking(False); c.connect_ex(listener.getsockname())
print(listener.getsockname()[1], flush=True)
sys.stdin.read()
"""


def parse(body):
    samples = []
    for line in body.splitlines():
        match = SAMPLE.match(line)
        if match:
            samples.append((match.group(1), dict(LABEL.findall(match.group(2) or "")),
                            float(match.group(3))))
    return samples


def find(samples, metric, **labels):
    return [v for n, l, v in samples
            if n == metric and all(l.get(k) == w for k, w in labels.items())]


def expectations(samples, context):
    """(what, met) for every series the scrape must carry."""
    host, named, other = context["host"], context["named"], context["other"]
    want = [
        (f"host listener 127.0.0.1:{host['port']} full in netns {host['netns']}",
         any(v >= 1 for v in find(samples, "halfopen_listen_queue_max_fill_ratio",
                                  netns=host["netns"], address="127.0.0.1",
                                  port=host["port"]))),
        (f"ip netns {named['name']}'s listener :{named['port']} full",
         any(v >= 1 for v in find(samples, "halfopen_listen_queue_max_fill_ratio",
                                  netns=named["netns"], port=named["port"]))),
        (f"halfopen_netns_info names {named['name']}",
         bool(find(samples, "halfopen_netns_info", netns=named["netns"],
                   name=named["name"]))),
        (f"python3 holds {named['name']}'s listener",
         bool(find(samples, "halfopen_listen_process_info", netns=named["netns"],
                   port=named["port"], comm="python3"))),
        (f"the other container's namespace with container_id {other['id'][:12]}",
         bool(find(samples, "halfopen_netns_info", netns=other["netns"],
                   container_id=other["id"]))),
        ("the other container's listener :9742 and its program (another user's)",
         bool(find(samples, "halfopen_listen_process_info", netns=other["netns"],
                   port="9742", comm="halfopen_export"))),
        (f"halfopen_build_info revision {context['revision']}",
         bool(find(samples, "halfopen_build_info", revision=context["revision"]))),
    ]
    return want


def scrape_until_complete(url, context, deadline_seconds=60):
    deadline = time.monotonic() + deadline_seconds
    while True:
        with urllib.request.urlopen(url, timeout=10) as response:
            samples = parse(response.read().decode())
        missing = [what for what, met in expectations(samples, context) if not met]
        if not missing or time.monotonic() > deadline:
            return samples, missing
        time.sleep(0.5)


def wait_healthy(url, container, deadline_seconds=60):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        if podman("inspect", "--format", "{{.State.Running}}", container) != "true":
            break
        time.sleep(0.2)
    problems.append(f"{url} never answered 200; the container's log:\n"
                    + podman("logs", container, check=False))
    return False


def status_fields(pid):
    fields = {}
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.split()
    return fields


def check_process(container, ds, image):
    pod = ds["spec"]["template"]["spec"]
    security = daemonset.effective_security(pod, pod["containers"][0])
    image_user = podman("image", "inspect", "--format", "{{.User}}", image) or "0"
    uid = security.get("runAsUser", int(image_user.split(":")[0]))
    gid = security.get("runAsGroup", uid if "runAsUser" in security else int(
        (image_user + ":" + image_user).split(":")[1]))
    pid = podman("inspect", "--format", "{{.State.Pid}}", container)
    status = status_fields(pid)
    if status["Uid"][:2] != [str(uid)] * 2 or status["Gid"][:2] != [str(gid)] * 2:
        problems.append(f"process runs as uid {status['Uid']} gid {status['Gid']}, "
                        f"the manifest says {uid}:{gid}")
    wanted = daemonset.expected_capabilities(security, uid)
    mask = sum(1 << CAPABILITY_BITS[c] for c in wanted)
    effective = int(status["CapEff"][0], 16)
    if effective != mask:
        problems.append(f"CapEff {effective:#x}, want {mask:#x} ({sorted(wanted)})")
    if security.get("allowPrivilegeEscalation") is False and status["NoNewPrivs"] != ["1"]:
        problems.append("no_new_privs is not set")
    if security.get("seccompProfile", {}).get("type") == "RuntimeDefault" and \
            status["Seccomp"] != ["2"]:
        problems.append(f"seccomp mode {status['Seccomp']}, want 2 (filter)")
    if security.get("readOnlyRootFilesystem"):
        write = subprocess.run(["podman", "exec", container, "/bin/sh", "-c",
                                ": > /halfopen-write-probe"],
                               capture_output=True, text=True)
        if write.returncode == 0 or "Read-only" not in write.stderr:
            problems.append(f"the root filesystem is writable: {write.stderr.strip()}")
    print(f"process: pid {pid}, uid {uid} gid {gid}, CapEff {effective:#x} "
          f"{sorted(wanted)}, NoNewPrivs {status['NoNewPrivs']}, "
          f"Seccomp {status['Seccomp']}")


def start_named_namespace(context, cleanups):
    name = f"{TAG}-0"
    subprocess.run(["ip", "netns", "add", name], check=True)
    cleanups.append(lambda: subprocess.run(["ip", "netns", "del", name]))
    subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
    process = subprocess.Popen(["ip", "netns", "exec", name, "python3", "-c",
                                LISTENER_PROGRAM], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    cleanups.append(lambda: (process.stdin.close(), process.wait()))
    context["named"] = {"name": name, "port": process.stdout.readline().strip(),
                        "netns": netns_inode(f"/run/netns/{name}")}


def start_other_container(image, context, cleanups):
    name = f"{TAG}-other"
    cleanups.append(lambda: podman("rm", "-f", "-t", "0", name, check=False))
    container_id = podman("run", "-d", "--name", name, "--network", "none",
                          "--pull=never", image)
    pid = podman("inspect", "--format", "{{.State.Pid}}", name)
    context["other"] = {"id": container_id, "netns": netns_inode(f"/proc/{pid}/ns/net")}


def readme_flags():
    """(options, arguments) that README's "podman or Docker" item gives for a
    plain host: the backquoted words before "then the image", and the
    first ones after it."""
    text = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()
    item = text[text.index("- **podman or Docker**"):].split("(it prints them):")[1]
    options, _, rest = item.partition("then the image")
    words = " ".join(re.findall(r"`([^`]*)`", options)).split()
    return words, re.search(r"`([^`]*)`", rest).group(1).split()


def run(directory, image, revision):
    ds = daemonset.daemonset(daemonset.render(directory))
    options, manifest_image, args = daemonset.podman_run(
        ds, prepare=lambda path: os.makedirs(path, exist_ok=True))
    if manifest_image != image:
        problems.append(f"the rendered DaemonSet runs {manifest_image}, not {image}: "
                        "the kustomization's images entry did not apply")
        return
    if readme_flags() != (options, args):
        problems.append(f"README's podman flags for a plain host are not the "
                        f"DaemonSet's: {' '.join(options)}, then {' '.join(args)}")
    probe = daemonset.probe_url(ds)
    port = int(probe.split(":")[2].split("/")[0])
    with socket.socket() as probe_socket:
        if probe_socket.connect_ex(("127.0.0.1", port)) == 0:
            problems.append(f"port {port}, the DaemonSet's, is already in use on this "
                            "host: `ss -ltnp sport = :{port}` says by whom")
            return
    host_port, host_sockets = full_listener()
    context = {"revision": revision,
               "host": {"port": str(host_port), "netns": netns_inode("/proc/self/ns/net")}}
    cleanups = [lambda: [s.close() for s in host_sockets]]
    name = f"{TAG}-daemonset"
    try:
        start_named_namespace(context, cleanups)
        cleanups.append(lambda: podman("rm", "-f", "-t", "0", name, check=False))
        started = time.monotonic()
        print("podman run", " ".join(options), image, " ".join(args))
        podman("run", "-d", "--name", name, *options, image, *args)
        start_other_container(image, context, cleanups)
        if not wait_healthy(probe, name):
            return
        print(f"healthy after {time.monotonic() - started:.1f} s at {probe}")
        samples, missing = scrape_until_complete(
            probe.rsplit("/", 2)[0] + "/metrics", context)
        print(f"scrape checked after {time.monotonic() - started:.1f} s, "
              f"{len(missing)} expected series missing")
        problems.extend(f"/metrics: no {what}" for what in missing)
        collectors = [(l["collector"], v) for n, l, v in samples
                      if n == "halfopen_scrape_collector_success"]
        if not collectors:
            problems.append("/metrics: no halfopen_scrape_collector_success")
        problems.extend(f"collector {c} failed" for c, v in collectors if v != 1)
        print(f"collectors: {len(collectors)}, "
              f"{sum(1 for _, v in collectors if v == 1)} succeeding")
        check_process(name, ds, image)
        if problems:
            print(podman("logs", name, check=False))
    finally:
        for cleanup in reversed(cleanups):
            cleanup()


def main():
    if len(sys.argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        run(*sys.argv[1:])
    except (daemonset.Unsupported, RuntimeError) as error:
        problems.append(str(error))
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
