#!/usr/bin/env python3
"""The layer checker fails when it should: each case copies the real tree,
adds one include that crosses a layer, and expects check_layers.py to name
that file and reason, and to pass again on the untouched copy."""

import pathlib
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHECKER = HERE / "check_layers.py"

# (file to touch, include line added, words the violation must contain)
CASES = [
    ("collectors/model/suspicion.cc", "#include <sys/socket.h>",
     "collectors/model/ may include only the standard library"),
    ("collectors/model/suspicion.cc", '#include "kernel/netns_thread.h"',
     'collectors/model/ may not include "kernel/netns_thread.h"'),
    ("collectors/sources/socket_walk.cc", '#include "prometheus/gauge.h"',
     'collectors/sources/ may not include "prometheus/gauge.h"'),
    ("collectors/sources/sysctls.cc", '#include "spdlog/spdlog.h"',
     'collectors/sources/ may not include "spdlog/spdlog.h"'),
    ("collectors/sources/sysctls.cc", '#include "engine/family.h"',
     'collectors/sources/ may not include "engine/family.h"'),
    ("collectors/listeners.cc", '#include "collectors/sources/sources.h"',
     'as "sources/sources.h"'),
    ("exporter/status/status_page.cc", '#include "civetweb.h"',
     'exporter/status/ may not include "civetweb.h"'),
    ("exporter/status/status_json.cc", '#include "spdlog/spdlog.h"',
     'exporter/status/ may not include "spdlog/spdlog.h"'),
    ("exporter/status/status_model.cc", '#include "web/gzip.h"',
     'exporter/status/ may not include "web/gzip.h"'),
    ("exporter/status/status_model.cc", '#include "prometheus/exposer.h"',
     'may use prometheus-cpp core only'),
    ("exporter/web/http_handler.cc", '#include "collectors/each_netns.h"',
     'exporter/web/ may not include "collectors/each_netns.h"'),
    ("exporter/web/http_handler.cc", '#include "sources/sources.h"',
     'exporter/web/ may not include "sources/sources.h"'),
    ("exporter/web/gzip.cc", '#include "exporter/options.h"',
     'exporter/web/ may not include "exporter/options.h"'),
    ("exporter/main.cc", '#include "exporter/web/gzip.h"',
     'as "web/gzip.h"'),
]


def run(root):
    return subprocess.run([sys.executable, str(CHECKER), str(root)],
                          capture_output=True, text=True)


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp)
        for top in ("collectors", "exporter"):
            shutil.copytree(ROOT / top, copy / top)
        clean = run(copy)
        if clean.returncode != 0:
            print("the untouched copy fails:\n" + clean.stdout)
            return 1
        for relative, line, expected in CASES:
            path = copy / relative
            original = path.read_text()
            path.write_text(line + "\n" + original)
            result = run(copy)
            path.write_text(original)
            wanted = f"{relative}:1: "
            if result.returncode != 1 or not any(
                    out.startswith(wanted) and expected in out
                    for out in result.stdout.splitlines()):
                failures += 1
                print(f"FAIL {relative} + {line}: want '{wanted}…{expected}', "
                      f"got exit {result.returncode}:\n{result.stdout}")
    print(f"check_layers_test: {len(CASES)} cases, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
