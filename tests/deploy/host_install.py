"""Installs the package onto this machine with dpkg, as an administrator
would, checks what it did and undid, and purges it again. Only for machines
that exist to run tests (check_package.py host-install decides)."""
import os
import pathlib
import subprocess

import installed_exporter

PACKAGE = "halfopen-exporter"
BINARY = "/usr/bin/halfopen_exporter"
DEFAULT = pathlib.Path("/etc/default/halfopen_exporter")
WANTS = pathlib.Path(
    "/etc/systemd/system/multi-user.target.wants/halfopen_exporter.service")


def _run(argv):
    result = subprocess.run(argv, capture_output=True, text=True)
    print(f"$ {' '.join(argv)}\n{result.stdout}{result.stderr}", end="")
    return result


def _installed():
    status = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Status}",
                             PACKAGE], capture_output=True, text=True).stdout
    return status == "installed"


def _running_installed_binary():
    """Processes running the installed binary, whoever started them."""
    pids = []
    for exe in pathlib.Path("/proc").glob("[0-9]*/exe"):
        try:
            if os.readlink(exe) == BINARY:
                pids.append(exe.parent.name)
        except OSError:
            pass
    return pids


def _unit_path():
    return pathlib.Path(subprocess.run(
        ["pkg-config", "--variable=systemdsystemunitdir", "systemd"],
        capture_output=True, text=True).stdout.strip()) / "halfopen_exporter.service"


def check(deb, problems):
    if _installed():
        problems.append(f"{PACKAGE} is already installed here; not touching it")
        return
    try:
        if _run(["dpkg", "-i", str(deb)]).returncode != 0:
            problems.append("dpkg -i failed")
            return
        _check_installed(deb, problems)
        _check_reinstall_keeps_conffile(deb, problems)
        _check_enable(problems)
    finally:
        if _run(["dpkg", "--purge", PACKAGE]).returncode != 0:
            problems.append("dpkg --purge failed")
    for path in (pathlib.Path(BINARY), _unit_path(), DEFAULT, WANTS):
        if path.exists() or path.is_symlink():
            problems.append(f"{path} is still there after dpkg --purge")


def _check_installed(deb, problems):
    conffiles = subprocess.run(["dpkg-query", "-W", "-f=${Conffiles}", PACKAGE],
                               capture_output=True, text=True).stdout
    if str(DEFAULT) not in conffiles:
        problems.append(f"dpkg does not list {DEFAULT} as a conffile")
    if _running_installed_binary():
        problems.append("the install started the exporter")
    enabled = _run(["systemctl", "is-enabled", "halfopen_exporter"]).stdout.strip()
    if enabled != "disabled":
        problems.append(f"after install the unit is {enabled!r}, want 'disabled'")
    verify = _run([str(pathlib.Path(__file__).parent / "verify_systemd_unit.sh"),
                   str(_unit_path())])
    if verify.returncode != 0:
        problems.append("systemd-analyze verify of the installed unit failed")
    # The administrator sets flags in the conffile; the unit passes them.
    DEFAULT.write_text(DEFAULT.read_text().replace(
        'ARGS=""', 'ARGS="--web.listen-address=127.0.0.1:0"'))
    command = installed_exporter.unit_command(_unit_path().read_text())
    if command != [BINARY, "--web.listen-address=127.0.0.1:0"]:
        problems.append(f"the unit would run {command}")
    installed_exporter.scrape(installed_exporter.as_nobody(command), problems,
                           "installed package's binary, as the unit runs it")


def _check_reinstall_keeps_conffile(deb, problems):
    edited = DEFAULT.read_text()
    if _run(["dpkg", "-i", str(deb)]).returncode != 0:
        problems.append("installing the package again failed")
    elif DEFAULT.read_text() != edited:
        problems.append(f"installing again overwrote the edited {DEFAULT}")


def _check_enable(problems):
    """README's systemctl enable, as far as a machine without systemd
    running allows: the link it makes, which purge must remove."""
    _run(["systemctl", "enable", "halfopen_exporter"])
    if not WANTS.is_symlink():
        problems.append(f"systemctl enable made no {WANTS}")
    enabled = _run(["systemctl", "is-enabled", "halfopen_exporter"]).stdout.strip()
    if enabled != "enabled":
        problems.append(f"after systemctl enable the unit is {enabled!r}")
