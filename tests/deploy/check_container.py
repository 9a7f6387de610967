#!/usr/bin/python3
"""Checks deploy/container/Dockerfile without a Docker engine, by doing what
each of its steps does:

- the build context: the working tree filtered by .dockerignore as Docker
  filters it holds every tracked file and none of the build trees, .git or
  CMakeCache.txt lying beside them (this test runs while build/ exists);
- the build stage: its apt packages exist, then its RUN after `COPY . .`
  runs verbatim in a copy of that context, with its ARG as the environment;
- the runtime stage: its OCI labels (the version is the project's), the
  packages it installs cover every library the stripped binary links, beyond
  what debian:12-slim has (approximated by apt's dependencies), and the
  binary, run as its USER, answers a scrape whose build_info carries the
  revision passed as the build argument.

Exits 1 naming every problem found.
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
import installed_exporter  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
REVISION = "container-test"
LEFTOVER = re.compile(r"(^|/)(\.git|build|build-[^/]*)(/|$)|CMakeCache\.txt$|"
                      r"(^|/)CMakeFiles/|\.deb$")
LEFTOVERS = (".git", ".git/HEAD", "build/release/CMakeCache.txt",
             "build/run/exporter/halfopen_exporter", "build-clang/Makefile",
             "CMakeCache.txt", "CMakeFiles/3.25.1/CMakeSystem.cmake",
             "exporter/CMakeFiles/x.o", "halfopen-exporter_0.1.0-1_amd64.deb",
             "compile_commands.json")
problems = []


def instructions(dockerfile):
    """(stage index, INSTRUCTION, arguments) with continuations joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    stage = -1
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.upper() == "FROM":
            stage += 1
        yield stage, keyword.upper(), rest.strip()


def ignore_patterns():
    patterns = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            negate = line.startswith("!")
            pattern = line.lstrip("!").strip("/")
            regex = "".join(
                ".*" if part == "**" else
                "[^/]*" if part == "*" else "[^/]" if part == "?" else
                re.escape(part)
                for part in re.split(r"(\*\*|\*|\?)", pattern))
            # "**/" also matches nothing, as in Docker.
            regex = regex.replace(".*/", "(.*/)?")
            patterns.append((re.compile(regex + "$"), negate))
    return patterns


def ignored(relative, patterns):
    """Docker's rule: the last matching pattern wins, and a pattern that
    matches a directory excludes what is under it."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    result = False
    for regex, negate in patterns:
        if any(regex.match(prefix) for prefix in prefixes):
            result = not negate
    return result


def build_context():
    patterns = ignore_patterns()
    prune = not any(negate for _, negate in patterns)
    context = set()
    for directory, subdirs, files in os.walk(ROOT):
        rel_dir = os.path.relpath(directory, ROOT)
        if prune:
            subdirs[:] = [d for d in subdirs if not ignored(
                os.path.normpath(os.path.join(rel_dir, d)), patterns)]
        for name in files + [d for d in subdirs if os.path.islink(
                os.path.join(directory, d))]:
            relative = os.path.normpath(os.path.join(rel_dir, name))
            if not ignored(relative, patterns):
                context.add(relative)
    tracked = set(subprocess.run(["git", "-C", str(ROOT), "ls-files"],
                                 capture_output=True, text=True,
                                 check=True).stdout.split())
    for missing in sorted(tracked - context):
        problems.append(f"context: tracked file {missing} is ignored")
    for path in sorted(context):
        if LEFTOVER.search(path):
            problems.append(f"context: {path} would be sent to the build")
    # The same rules on what a checkout and local builds leave, whether or
    # not this tree has them now.
    for path in LEFTOVERS:
        if not ignored(path, patterns):
            problems.append(f".dockerignore lets {path} into the context")
    print(f"context: {len(context)} files, {len(tracked)} tracked")
    return context


def check_build_stage(steps, context, work):
    for _, keyword, rest in steps:
        if keyword == "RUN" and "apt-get install" in rest:
            packages = [word for word in rest.split("&&")[1].split()
                        if not word.startswith("-") and word not in
                        ("apt-get", "install")]
            for package in packages:
                if subprocess.run(["apt-cache", "show", package],
                                  capture_output=True).returncode != 0:
                    problems.append(f"build stage: no Debian package {package}")
    for relative in context:
        target = work / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, target, follow_symlinks=False)
    copied = False
    for _, keyword, rest in steps:
        if keyword == "COPY" and rest == ". .":
            copied = True
        elif keyword == "RUN" and copied:
            print(f"build stage: RUN {rest[:70]}...")
            result = subprocess.run(["sh", "-c", rest], cwd=work,
                                    env=dict(os.environ, REVISION=REVISION),
                                    capture_output=True, text=True)
            if result.returncode != 0:
                problems.append(f"build stage RUN failed: {result.stdout[-2000:]}"
                                f"{result.stderr[-2000:]}")
                return False
    return True


def slim_and_closure(packages):
    """Packages that installing `packages` on debian:12-slim leaves there."""
    output = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
         "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances",
         "apt", *packages], capture_output=True, text=True, check=True).stdout
    return {line.strip() for line in output.splitlines()
            if line and not line.startswith(" ")}


def check_runtime_stage(steps, work):
    labels = {}
    for _, keyword, rest in steps:
        if keyword == "LABEL":
            labels.update(re.findall(r'(\S+?)="([^"]*)"', rest))
    version = re.search(r"project\(halfopen_exporter VERSION (\S+)",
                        (ROOT / "CMakeLists.txt").read_text()).group(1)
    want = {"org.opencontainers.image.title": "halfopen_exporter",
            "org.opencontainers.image.version": version,
            "org.opencontainers.image.revision": "${REVISION}"}
    for key, value in want.items():
        if labels.get(key) != value:
            problems.append(f"label {key}={labels.get(key)!r}, want {value!r}")
    if not labels.get("org.opencontainers.image.description"):
        problems.append("no org.opencontainers.image.description label")
    copy = next(rest for _, k, rest in steps if k == "COPY")
    source, destination = re.match(r"--from=build /src/(\S+) (\S+)", copy).groups()
    binary = work / source
    sections = subprocess.run(["readelf", "-S", "-W", str(binary)],
                              capture_output=True, text=True).stdout
    if ".symtab" in sections or ".debug_info" in sections:
        problems.append(f"{source} in the image is not stripped")
    entrypoint = next(rest for _, k, rest in steps if k == "ENTRYPOINT")
    if f'["{destination}"]' != entrypoint:
        problems.append(f"ENTRYPOINT {entrypoint} is not {destination}")
    user = next(rest for _, k, rest in steps if k == "USER")
    if user != "65534:65534":
        problems.append(f"USER {user}, want 65534:65534 (nobody)")
    install = next(rest for _, k, rest in steps
                   if k == "RUN" and "apt-get install" in rest)
    listed = [w for w in install.split("&&")[1].split()
              if not w.startswith("-") and w not in ("apt-get", "install")]
    present = slim_and_closure(listed)
    for package in sorted(installed_exporter.linked_packages(binary) - present):
        problems.append(f"runtime stage: {binary.name} links a library of "
                        f"{package}, which the image does not install")
    print(f"runtime stage: {binary.stat().st_size} bytes, installs {listed}")
    body = installed_exporter.scrape(installed_exporter.as_nobody(
        [str(binary), "--web.listen-address=127.0.0.1:0"]), problems,
        "the image's binary")
    if f'revision="{REVISION}"' not in body:
        problems.append(f"build_info does not carry revision {REVISION}")


def main():
    steps = list(instructions(ROOT / "deploy/container/Dockerfile"))
    context = build_context()
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        work.chmod(0o755)
        if check_build_stage([s for s in steps if s[0] == 0], context, work):
            check_runtime_stage([s for s in steps if s[0] == 1], work)
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
