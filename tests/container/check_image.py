#!/usr/bin/python3
"""Checks the built image against its base: what the runtime stage promises.

Usage: check_image.py IMAGE BASE REVISION

- its layers are BASE's and two more (the runtime libraries, the binary):
  nothing of the build stage came along, and no compiler is in it;
- it is at most 30 MB larger than BASE (the runtime libraries and the
  stripped binary are about 15 MB; apt's caches alone would be 80);
- it runs as nobody (65534:65534), its entrypoint is the exporter, which is
  stripped, and its OCI labels carry the project's version and REVISION.

Prints the figures for docs/testing.md; exits 1 naming every problem.
"""
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

MAX_GROWTH_BYTES = 30 << 20


def inspect(image):
    output = subprocess.run(["podman", "image", "inspect", image], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output)[0]


def check_stripped(image, problems):
    """Reads the binary's sections through the image mounted on the host (the
    image has no readelf)."""
    mounted = subprocess.run(["podman", "image", "mount", image], check=True,
                             capture_output=True, text=True).stdout.strip()
    try:
        binary = pathlib.Path(mounted) / "usr/local/bin/halfopen_exporter"
        sections = subprocess.run(["readelf", "-S", "-W", str(binary)],
                                  capture_output=True, text=True, check=True).stdout
        print(f"binary: {binary.stat().st_size} bytes")
        if ".symtab" in sections or ".debug_info" in sections:
            problems.append("the image's binary is not stripped")
    finally:
        subprocess.run(["podman", "image", "unmount", image], capture_output=True)


def main():
    if len(sys.argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    image, base, revision = sys.argv[1:]
    problems = []
    built, slim = inspect(image), inspect(base)
    layers, base_layers = built["RootFS"]["Layers"], slim["RootFS"]["Layers"]
    growth = built["Size"] - slim["Size"]
    print(f"image: {built['Size']} bytes ({built['Size'] / 1e6:.1f} MB) in "
          f"{len(layers)} layers; base {slim['Size']} bytes in {len(base_layers)}")
    history = subprocess.run(["podman", "history", "--format",
                              "{{.Size}}\t{{.CreatedBy}}", image],
                             capture_output=True, text=True, check=True).stdout
    for line in history.splitlines():
        size, _, created_by = line.partition("\t")
        if not size.startswith("0"):
            print(f"  layer {size:>9}  {created_by[:90]}")
    if layers[:len(base_layers)] != base_layers or len(layers) != len(base_layers) + 2:
        problems.append(f"want the base's {len(base_layers)} layers and 2 more, "
                        f"found {len(layers)} layers")
    if growth > MAX_GROWTH_BYTES:
        problems.append(f"the image is {growth} bytes larger than {base}, "
                        f"more than {MAX_GROWTH_BYTES}")
    config = built["Config"]
    if config.get("User") != "65534:65534":
        problems.append(f"USER {config.get('User')!r}, want 65534:65534 (nobody)")
    if config.get("Entrypoint") != ["/usr/local/bin/halfopen_exporter"]:
        problems.append(f"entrypoint {config.get('Entrypoint')}")
    version = re.search(r"project\(halfopen_exporter VERSION (\S+)",
                        (ROOT / "CMakeLists.txt").read_text()).group(1)
    labels = config.get("Labels", {})
    for key, want in (("revision", revision), ("version", version)):
        label = labels.get(f"org.opencontainers.image.{key}")
        if label != want:
            problems.append(f"org.opencontainers.image.{key} {label!r}, want {want!r}")
    check_stripped(image, problems)
    compilers = subprocess.run(
        ["podman", "run", "--rm", "--pull=never", "--network=none",
         "--entrypoint", "/bin/sh", image, "-c",
         "for t in cc c++ g++ cmake make; do command -v $t; done; true"],
        capture_output=True, text=True, check=True).stdout.split()
    if compilers:
        problems.append(f"build tools in the runtime image: {compilers}")
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
