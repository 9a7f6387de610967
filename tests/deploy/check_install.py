#!/usr/bin/python3
"""Checks what `cmake --install` puts where, on the build tree given:

- into a prefix of its own: every file in place, the unit's paths below that
  prefix, and systemd-analyze verify clean on the installed unit (its man
  page found through MANPATH); then the installed binary, run with the ARGS
  of the installed /etc/default file as the unit would, answers a scrape;
- again over it: the administrator's edited /etc/default file is kept;
- with DESTDIR and --prefix /usr, as the package is made: /usr/bin, /etc and
  systemd's own unit directory.

Usage: check_install.py BUILD_DIR. Exits 1 naming every problem found.
"""
import filecmp
import os
import pathlib
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
import installed_exporter  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
UNIT = "lib/systemd/system/halfopen_exporter.service"
DEFAULT = "etc/default/halfopen_exporter"
SHIPPED = {  # installed path below the prefix -> source file
    "share/halfopen_exporter/prometheus/halfopen-rules.yml":
        "deploy/prometheus/halfopen-rules.yml",
    "share/halfopen_exporter/prometheus/scrape-config.yml":
        "deploy/prometheus/scrape-config.yml",
    "share/halfopen_exporter/dashboards/halfopen-overview.json":
        "dashboards/halfopen-overview.json",
    "share/halfopen_exporter/dashboards/halfopen-detail.json":
        "dashboards/halfopen-detail.json",
    "share/halfopen_exporter/dashboards/provisioning/dashboards.yml":
        "dashboards/provisioning/dashboards.yml",
    "share/halfopen_exporter/dashboards/provisioning/datasource.yml":
        "dashboards/provisioning/datasource.yml",
    "share/doc/halfopen_exporter/README.md": "README.md",
    "share/doc/halfopen_exporter/CHANGELOG.md": "CHANGELOG.md",
    "share/doc/halfopen_exporter/runbook.md": "docs/runbook.md",
    "share/halfopen_exporter/systemd/netns-all.conf": "deploy/systemd/netns-all.conf",
}
EXPECTED = set(SHIPPED) | {
    "bin/halfopen_exporter", "bin/halfopen_diag_dump",
    "share/doc/halfopen_exporter/flags.txt",
    "share/man/man1/halfopen_exporter.1", UNIT, DEFAULT,
}
problems = []


def install(build, prefix, destdir=None):
    env = dict(os.environ)
    env.pop("DESTDIR", None)
    if destdir is not None:
        env["DESTDIR"] = str(destdir)
    result = subprocess.run(
        ["cmake", "--install", str(build), "--prefix", str(prefix)],
        capture_output=True, text=True, env=env)
    if result.returncode != 0:
        problems.append(f"cmake --install --prefix {prefix} failed: "
                        f"{result.stdout}{result.stderr}")
    return result.stdout


def check_prefix_install(build, prefix):
    install(build, prefix)
    found = {str(p.relative_to(prefix)) for p in prefix.rglob("*")
             if p.is_file()}
    for missing in sorted(EXPECTED - found):
        problems.append(f"--prefix install: {missing} is missing")
    for extra in sorted(found - EXPECTED):
        problems.append(f"--prefix install: unexpected {extra}")
    for installed, source in SHIPPED.items():
        if (prefix / installed).exists() and not filecmp.cmp(
                prefix / installed, ROOT / source, shallow=False):
            problems.append(f"{installed} differs from {source}")
    if not (prefix / UNIT).exists():
        return
    settings = installed_exporter.unit_settings((prefix / UNIT).read_text())
    expect = {
        "ExecStart": f"{prefix}/bin/halfopen_exporter $ARGS",
        "EnvironmentFile": f"-{prefix}/{DEFAULT}",
        "Documentation": "man:halfopen_exporter(1) "
                         f"file:{prefix}/share/doc/halfopen_exporter/README.md",
    }
    for key, value in expect.items():
        if settings.get(key) != value:
            problems.append(f"unit: {key}={settings.get(key)!r}, want {value!r}")
    verify = subprocess.run(
        [str(ROOT / "tests/deploy/verify_systemd_unit.sh"), str(prefix / UNIT),
         str(prefix / "share/man")], capture_output=True, text=True)
    print(verify.stdout, end="")
    if verify.returncode != 0:
        problems.append(f"installed unit: {verify.stdout}{verify.stderr}")
    # The unit with the --netns.scope=all drop-in applied (its [Service]
    # settings appended, as systemd merges them) must verify as cleanly.
    with tempfile.TemporaryDirectory() as scratch:
        merged = pathlib.Path(scratch) / "halfopen_exporter.service"
        merged.write_text((prefix / UNIT).read_text() + "\n" + (
            prefix / "share/halfopen_exporter/systemd/netns-all.conf").read_text())
        verify = subprocess.run(
            [str(ROOT / "tests/deploy/verify_systemd_unit.sh"), str(merged),
             str(prefix / "share/man")], capture_output=True, text=True)
        print("with the netns-all drop-in:", verify.stdout, end="")
        if verify.returncode != 0:
            problems.append(f"unit with netns-all.conf: {verify.stdout}{verify.stderr}")
    if installed_exporter.environment_file(
            (prefix / DEFAULT).read_text()) != {"ARGS": ""}:
        problems.append(f"{DEFAULT}: want only ARGS=\"\"")
    # The administrator's flags, in ARGS, reach the binary.
    default = prefix / DEFAULT
    default.write_text(default.read_text().replace(
        'ARGS=""', 'ARGS="--web.listen-address=127.0.0.1:0 --log.level=debug"'))
    command = installed_exporter.unit_command((prefix / UNIT).read_text())
    installed_exporter.scrape(installed_exporter.as_nobody(command), problems,
                           "installed binary with the unit's ARGS")


def check_reinstall_keeps_default(build, prefix):
    edited = (prefix / DEFAULT).read_text()
    output = install(build, prefix)
    if (prefix / DEFAULT).read_text() != edited:
        problems.append("a second cmake --install overwrote the edited "
                        f"{DEFAULT}")
    if "Keeping:" not in output:
        problems.append("a second cmake --install did not say it kept "
                        f"{DEFAULT}")


def check_usr_install(build, destdir):
    install(build, "/usr", destdir)
    unit_dir = subprocess.run(
        ["pkg-config", "--variable=systemdsystemunitdir", "systemd"],
        capture_output=True, text=True).stdout.strip() or "/usr/lib/systemd/system"
    unit = destdir / unit_dir.lstrip("/") / "halfopen_exporter.service"
    for path in (destdir / "usr/bin/halfopen_exporter",
                 destdir / "etc/default/halfopen_exporter", unit):
        if not path.exists():
            problems.append(f"DESTDIR install with --prefix /usr: no "
                            f"{path.relative_to(destdir)}")
    if unit.exists():
        settings = installed_exporter.unit_settings(unit.read_text())
        if settings.get("ExecStart") != "/usr/bin/halfopen_exporter $ARGS":
            problems.append(f"/usr unit: ExecStart={settings.get('ExecStart')}")
        if settings.get("EnvironmentFile") != "-/etc/default/halfopen_exporter":
            problems.append("/usr unit: EnvironmentFile="
                            f"{settings.get('EnvironmentFile')}")


def main():
    build = pathlib.Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = pathlib.Path(scratch)
        # Readable by the unprivileged user that runs the installed binary.
        scratch.chmod(0o755)
        check_prefix_install(build, scratch / "prefix")
        if (scratch / "prefix" / DEFAULT).exists():
            check_reinstall_keeps_default(build, scratch / "prefix")
        check_usr_install(build, scratch / "destdir")
    for problem in problems:
        print("PROBLEM:", problem)
    print(f"cmake --install: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
