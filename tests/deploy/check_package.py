#!/usr/bin/python3
"""The Debian package, checked with the tools users meet it with.

  check_package.py build BUILD_DIR CPACK   cpack the build tree into BUILD_DIR/package-test
  check_package.py contents BUILD_DIR VERSION
      dpkg-deb: name, version, architecture; Depends names exactly the
      packages of the binaries' shared libraries; the conffile; every file;
      stripped binaries; the unit's paths; the man page renders cleanly
  check_package.py scratch-root BUILD_DIR  dpkg-deb -x, run the binary, scrape it
  check_package.py maintainer-scripts BUILD_DIR
      the scripts on a pretend systemd host (needs root)
  check_package.py host-install BUILD_DIR  dpkg -i on this machine, run and scrape
      the installed binary, systemd-analyze verify the installed unit, enable,
      dpkg --purge; only under CI=true or HALFOPEN_TEST_INSTALL=1 (it installs
      onto the machine), and needs root

Exits 1 naming every problem found, 77 (skipped) when it cannot run here.
"""
import os
import pathlib
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
import host_install  # noqa: E402
import installed_exporter  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
SKIP = 77
problems = []


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, check=True,
                          **kwargs).stdout


def find_deb(build):
    debs = sorted((build / "package-test").glob("halfopen-exporter_*.deb"))
    if len(debs) != 1:
        sys.exit(f"want one package in {build}/package-test, found {debs}: "
                 "the package_build test makes it")
    return debs[0]


def build_package(build, cpack):
    out = build / "package-test"
    for old in out.glob("*.deb"):
        old.unlink()
    print(run([cpack, "--config", str(build / "CPackConfig.cmake"),
               "-B", str(out)], cwd=build), end="")
    deb = find_deb(build)
    print(f"{deb.name}: {deb.stat().st_size} bytes")


def expected_files():
    unit_dir = run(["pkg-config", "--variable=systemdsystemunitdir",
                    "systemd"]).strip()
    share = "/usr/share/halfopen_exporter"
    return {
        "/usr/bin/halfopen_exporter", "/usr/bin/halfopen_diag_dump",
        "/etc/default/halfopen_exporter",
        f"{unit_dir}/halfopen_exporter.service",
        "/usr/share/man/man1/halfopen_exporter.1",
        "/usr/share/doc/halfopen_exporter/README.md",
        "/usr/share/doc/halfopen_exporter/CHANGELOG.md",
        "/usr/share/doc/halfopen_exporter/runbook.md",
        "/usr/share/doc/halfopen_exporter/flags.txt",
        f"{share}/prometheus/halfopen-rules.yml",
        f"{share}/prometheus/scrape-config.yml",
        f"{share}/dashboards/halfopen-overview.json",
        f"{share}/dashboards/halfopen-detail.json",
        f"{share}/systemd/netns-all.conf",
        f"{share}/dashboards/provisioning/dashboards.yml",
        f"{share}/dashboards/provisioning/datasource.yml",
    }


def check_contents(build, version):
    deb = find_deb(build)
    field = lambda name: run(["dpkg-deb", "-f", str(deb), name]).strip()
    arch = run(["dpkg", "--print-architecture"]).strip()
    for name, want in (("Package", "halfopen-exporter"),
                       ("Version", f"{version}-1"), ("Architecture", arch)):
        if field(name) != want:
            problems.append(f"{name}: {field(name)!r}, want {want!r}")
    with tempfile.TemporaryDirectory() as scratch:
        root = pathlib.Path(scratch) / "root"
        control = pathlib.Path(scratch) / "control"
        run(["dpkg-deb", "-x", str(deb), str(root)])
        run(["dpkg-deb", "-e", str(deb), str(control)])
        depends = {re.split(r"[ (]", item.strip())[0]
                   for item in field("Depends").split(",")}
        needed = set()
        for binary in (root / "usr/bin").iterdir():
            needed |= installed_exporter.linked_packages(binary)
            sections = run(["readelf", "-S", "-W", str(binary)])
            if ".symtab" in sections or ".debug_info" in sections:
                problems.append(f"{binary.name} is not stripped")
        check_depends(depends, needed)
        print("Depends:", field("Depends"))
        check_files(root, control)


def check_depends(depends, needed):
    """Each library package must be in Depends by its name or by a name it
    provides (libspdlog1.10 provides libspdlog1.10-fmt9, the name its shlibs
    file gives), and Depends must name nothing else."""
    accounted = set()
    for package in sorted(needed):
        provides = run(["dpkg-query", "-W", "-f=${Provides}", package])
        names = {package} | {re.split(r"[ (]", item.strip())[0]
                             for item in provides.split(",") if item.strip()}
        if not names & depends:
            problems.append(f"Depends lacks {package}, whose library the "
                            "binaries link")
        accounted |= names
    for extra in sorted(depends - accounted):
        problems.append(f"Depends names {extra}, which no binary needs")


def check_files(root, control):
    files = {"/" + str(p.relative_to(root)) for p in root.rglob("*")
             if not p.is_dir()}
    want = expected_files()
    for missing in sorted(want - files):
        problems.append(f"not in the package: {missing}")
    for extra in sorted(files - want):
        problems.append(f"unexpected in the package: {extra}")
    conffiles = (control / "conffiles").read_text().split()
    if conffiles != ["/etc/default/halfopen_exporter"]:
        problems.append(f"conffiles: {conffiles}")
    for script in ("postinst", "prerm", "postrm"):
        path = control / script
        if not os.access(path, os.X_OK):
            problems.append(f"{script} is not executable")
        elif subprocess.run(["sh", "-n", str(path)]).returncode != 0:
            problems.append(f"{script}: sh -n fails")
    unit = next(root.rglob("halfopen_exporter.service")).read_text()
    for line in ("ExecStart=/usr/bin/halfopen_exporter $ARGS",
                 "EnvironmentFile=-/etc/default/halfopen_exporter",
                 "Documentation=man:halfopen_exporter(1) "
                 "file:/usr/share/doc/halfopen_exporter/README.md"):
        if line not in unit.splitlines():
            problems.append(f"the unit has no line {line!r}")
    man = subprocess.run(
        ["man", "--warnings", "-l", str(root / "usr/share/man/man1/halfopen_exporter.1")],
        capture_output=True, text=True, env=dict(os.environ, MANWIDTH="80"))
    if man.returncode != 0 or man.stderr or "--web.listen-address" not in man.stdout:
        problems.append(f"man page: exit {man.returncode}, {man.stderr}")
    print(f"{len(files)} files, conffiles {conffiles}")


def check_scratch_root(build):
    with tempfile.TemporaryDirectory() as scratch:
        pathlib.Path(scratch).chmod(0o755)
        run(["dpkg-deb", "-x", str(find_deb(build)), scratch])
        binary = f"{scratch}/usr/bin/halfopen_exporter"
        help_text = run([binary, "--help"])
        if help_text != pathlib.Path(
                f"{scratch}/usr/share/doc/halfopen_exporter/flags.txt").read_text():
            problems.append("flags.txt differs from --help")
        installed_exporter.scrape(installed_exporter.as_nobody(
            [binary, "--web.listen-address=127.0.0.1:0"]), problems,
            "binary from the package")


def check_maintainer_scripts(build):
    if os.geteuid() != 0:
        return skip("needs root for a mount namespace")
    with tempfile.TemporaryDirectory() as control:
        run(["dpkg-deb", "-e", str(find_deb(build)), control])
        result = subprocess.run(
            [str(ROOT / "tests/deploy/check_maintainer_scripts.sh"), control])
        if result.returncode != 0:
            problems.append("maintainer scripts: see above")
    return None


def skip(reason):
    if os.environ.get("CI") == "true":
        problems.append(f"cannot run under CI=true: {reason}")
        return None
    print(f"SKIPPED: {reason}")
    return SKIP


def main():
    command, build = sys.argv[1], pathlib.Path(sys.argv[2]).resolve()
    status = None
    if command == "build":
        build_package(build, sys.argv[3])
    elif command == "contents":
        check_contents(build, sys.argv[3])
    elif command == "scratch-root":
        check_scratch_root(build)
    elif command == "maintainer-scripts":
        status = check_maintainer_scripts(build)
    elif command == "host-install":
        if os.environ.get("CI") != "true" and not os.environ.get(
                "HALFOPEN_TEST_INSTALL"):
            status = skip("installs the package onto this machine; runs under "
                          "CI=true or HALFOPEN_TEST_INSTALL=1")
        elif os.geteuid() != 0:
            status = skip("needs root to install a package")
        else:
            host_install.check(find_deb(build), problems)
    else:
        sys.exit(f"unknown command {command}")
    for problem in problems:
        print("PROBLEM:", problem)
    if problems:
        return 1
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
