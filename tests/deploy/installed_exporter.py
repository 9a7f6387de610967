"""Runs an installed halfopen_exporter as its systemd unit would (ExecStart
with $ARGS from the EnvironmentFile), on a free loopback port, and scrapes it
over HTTP as Prometheus would. Shared by the install and package checks."""
import os
import re
import shlex
import subprocess
import tempfile
import time
import urllib.request

NOBODY = 65534


def as_nobody(argv):
    """argv run as the unprivileged user systemd's DynamicUser and the image
    give the exporter, when the test itself runs as root."""
    if os.geteuid() != 0:
        return argv
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
            "--clear-groups", "--"] + argv


def linked_packages(binary):
    """The Debian packages that hold the shared libraries binary links."""
    needed = re.findall(r"Shared library: \[(.+?)\]", subprocess.run(
        ["readelf", "-d", str(binary)], capture_output=True, text=True,
        check=True).stdout)
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True,
                           check=True).stdout
    packages = set()
    for soname in needed:
        match = re.search(rf"^\s+{re.escape(soname)} .*=> (\S+)$", cache, re.M)
        if not match:
            raise RuntimeError(f"{soname} is not in ldconfig's cache")
        # dpkg knows a library by the path its package ships, /lib or /usr/lib.
        for path in (match.group(1), os.path.realpath(match.group(1))):
            owner = subprocess.run(["dpkg", "-S", path], capture_output=True,
                                   text=True)
            if owner.returncode == 0:
                packages.add(owner.stdout.split(":")[0])
                break
        else:
            raise RuntimeError(f"no package holds {match.group(1)}")
    return packages


def unit_settings(unit_text):
    """Key=value lines of a unit; the last one of a key wins."""
    settings = {}
    for line in unit_text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings[key] = value
    return settings


def environment_file(text):
    """KEY="value" lines, as systemd reads an EnvironmentFile."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values[key] = shlex.split(value)[0] if value else ""
    return values


def unit_command(unit_text):
    """The unit's ExecStart with $ARGS taken from its EnvironmentFile, as
    systemd expands an unbraced variable: split on whitespace."""
    settings = unit_settings(unit_text)
    path = settings["EnvironmentFile"].lstrip("-")
    args = environment_file(open(path).read()).get("ARGS", "").split()
    return [word for part in settings["ExecStart"].split()
            for word in (args if part == "$ARGS" else [part])]


def scrape(argv, problems, what):
    """Runs argv (which must listen on 127.0.0.1:0), scrapes /metrics once
    every collector has run, and appends to problems what is wrong with the
    answer. Returns the exposition text ("" on failure)."""
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                   stderr=stderr)
        try:
            port = _wait_for_port(process, stderr)
            if port is None:
                stderr.seek(0)
                problems.append(f"{what}: no log line 'msg=\"listening\" ... port='; "
                                f"stderr: {stderr.read().decode()!r}")
                return ""
            body = _get(port, "/metrics")
            _check_exposition(body, problems, what)
            print(f"{what}: scraped {len(body.splitlines())} lines from "
                  f"127.0.0.1:{port}")
            return body
        finally:
            process.terminate()
            code = process.wait(timeout=10)
            if code != 0:
                problems.append(f"{what}: exit code {code} after SIGTERM")


def _wait_for_port(process, stderr):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        stderr.seek(0)
        match = re.search(rb"msg=\"listening\" .* port=(\d+)", stderr.read())
        if match:
            return int(match.group(1))
        time.sleep(0.05)
    return None


def _get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}",
                                timeout=20) as response:
        return response.read().decode()


def _check_exposition(body, problems, what):
    if not re.search(r'^halfopen_build_info\{.*version="', body, re.M):
        problems.append(f"{what}: no halfopen_build_info in the scrape")
    collectors = re.findall(
        r'^halfopen_scrape_collector_success\{collector="(\w+)"\} (\S+)$',
        body, re.M)
    if len(collectors) < 5:
        problems.append(f"{what}: expected five collectors, got {collectors}")
    for name, value in collectors:
        if float(value) != 1:
            problems.append(f"{what}: collector {name} failed")
    check = subprocess.run(["promtool", "check", "metrics"], input=body,
                           capture_output=True, text=True)
    if check.returncode != 0:
        problems.append(f"{what}: promtool check metrics: "
                        f"{check.stdout}{check.stderr}")
