#!/usr/bin/python3
"""Checks what deploy/container/Dockerfile is given, without building it
(tests/container/run.sh builds and runs the image):

- the build context: the working tree filtered by .dockerignore as Docker
  filters it holds every tracked file and none of the build trees, .git or
  CMakeCache.txt lying beside them (this test runs while build/ exists), and
  .dockerignore keeps out what a checkout and local builds leave;
- two stages, the runtime one taking only the binary from the build.

Exits 1 naming every problem found.
"""
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
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


def check_stages():
    steps = list(instructions(ROOT / "deploy/container/Dockerfile"))
    stages = sorted({stage for stage, _, _ in steps})
    if len(stages) != 2:
        problems.append(f"Dockerfile: {len(stages)} stages, want 2 (build, runtime)")
    copies = [rest for stage, k, rest in steps if k == "COPY" and stage == stages[-1]]
    if copies != ["--from=build /src/halfopen_exporter /usr/local/bin/halfopen_exporter"]:
        problems.append(f"runtime stage copies {copies}, want only the binary")
    print(f"Dockerfile: {len(stages)} stages, the runtime stage copies {copies}")


def main():
    build_context()
    check_stages()
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
