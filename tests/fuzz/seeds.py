#!/usr/bin/env python3
"""Writes each fuzz target's seed corpus, and a dictionary where one helps,
from what the repository already holds: the recorded inet_diag dumps, the
/proc fixtures, and the flags and web configurations that README and the
deployment files show.

    tests/fuzz/seeds.py OUT_DIR   writes OUT_DIR/<target>/... and
                                  OUT_DIR/<target>.dict
"""
import pathlib
import re
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
MAGIC = b"HOEDIAG1"


def recorded_dumps():
    """Each recording's bytes, and its datagrams grouped by request."""
    for path in sorted((FIXTURES / "sockdiag").glob("*.diag")):
        data = path.read_bytes()
        assert data.startswith(MAGIC), path
        requests, offset = [], len(MAGIC)
        while offset < len(data):
            kind = data[offset:offset + 1]
            if kind == b"R":
                requests.append([])
                offset += 9
            else:
                (length,) = struct.unpack_from("=I", data, offset + 1)
                requests[-1].append(data[offset + 5:offset + 5 + length])
                offset += 5 + length
        yield path, data, requests


def flag_words():
    """Every --flag[=value] written in README and the deployment files."""
    pattern = re.compile(r"--[a-z][a-z0-9.\-]*(?:=[^\s`'\"|),]+)?")
    lines = []
    for name in ["README.md", "deploy/systemd/halfopen_exporter.default",
                 "deploy/kubernetes/daemonset.yml"]:
        for line in (ROOT / name).read_text().splitlines():
            words = pattern.findall(line)
            if words:
                lines.append(words)
    return lines


def yaml_blocks():
    """The web configurations shown in README and docs/tls.md."""
    for name in ["README.md", "docs/tls.md"]:
        text = (ROOT / name).read_text()
        for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
            if "tls_server_config" in block or "basic_auth_users" in block:
                yield block


def write(out, target, name, data):
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def write_dict(out, target, words):
    escaped = ['"' + w.replace("\\", "\\\\").replace('"', '\\"') + '"'
               for w in sorted(set(words))]
    (out / (target + ".dict")).write_text("\n".join(escaped) + "\n")


def main():
    out = pathlib.Path(sys.argv[1])
    for path, data, requests in recorded_dumps():
        write(out, "recording_fuzz", path.name, data)
        # Each parser gets the other's replies too: wrong-family bytes.
        for target in ["inet_diag_fuzz", "unix_diag_fuzz"]:
            for r, datagrams in enumerate(requests):
                write(out, target, f"{path.stem}-{r}", b"".join(datagrams))
                for d, datagram in enumerate(datagrams):
                    write(out, target, f"{path.stem}-{r}-{d}", datagram)

    for path in sorted(FIXTURES.glob("procfs/*/net/*")):
        write(out, "proc_counters_fuzz", f"{path.parent.parent.name}-{path.name}",
              path.read_bytes())
    # The first byte picks the sysctl; every fixture value stands for each.
    values = {p.read_bytes() for p in FIXTURES.glob("procfs/*/sys/**/*")
              if p.is_file()}
    for n, value in enumerate(sorted(values)):
        for which in range(13):
            write(out, "sysctl_fuzz", f"{n}-{which}", bytes([which]) + value)

    lines = flag_words()
    for n, words in enumerate(lines):
        write(out, "flags_fuzz", f"line-{n}", "\0".join(words).encode())
    write_dict(out, "flags_fuzz",
               [w.split("=")[0] for words in lines for w in words] +
               [w for words in lines for w in words])

    keys = set()
    for n, block in enumerate(yaml_blocks()):
        write(out, "web_config_fuzz", f"block-{n}", block.encode())
        keys.update(re.findall(r"([a-z_]+):", block))
    write_dict(out, "web_config_fuzz", [k + ":" for k in keys])


if __name__ == "__main__":
    main()
