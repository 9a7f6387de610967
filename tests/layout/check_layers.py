#!/usr/bin/env python3
"""Checks the include rules of docs/architecture.md over the source tree.

Every folder of collectors/ and exporter/ is a layer, and the files directly
in either are one more (the collectors; the program's shell). A file may
include the C++ standard library, system headers only where its layer may,
and the quoted headers of the layers its layer depends on, each by its
layer's own name ("sources/socket_walk.h", never
"collectors/sources/socket_walk.h"). Prints every violation as
"file:line: reason" and exits 1 if there is any. With a path argument, checks
that tree instead of this one (the test that the checker can fail uses it).
"""

import pathlib
import re
import sys

STANDARD = set("""
algorithm any array atomic bit bitset cassert cctype cerrno cfloat charconv
chrono cinttypes climits clocale cmath compare complex concepts
condition_variable cstdarg cstddef cstdint cstdio cstdlib cstring ctime
cwchar deque exception expected filesystem format forward_list fstream
functional future initializer_list iomanip ios iosfwd iostream istream
iterator limits list locale map memory memory_resource mutex new numbers
numeric optional ostream queue random ranges ratio regex scoped_allocator set
shared_mutex source_location span sstream stack stdexcept stop_token
streambuf string string_view system_error thread tuple type_traits typeindex
typeinfo unordered_map unordered_set utility valarray variant vector version
""".split())

# prometheus-cpp's pull and push parts: only web/ and the shell may serve.
PROMETHEUS_SERVING = {"prometheus/exposer.h", "prometheus/gateway.h"}

# The quoted prefix of each layer, for the rule "include a layer by its name".
LAYER_FOLDERS = {
    "base/": "collectors/base/", "model/": "collectors/model/",
    "decode/": "collectors/decode/", "kernel/": "collectors/kernel/",
    "engine/": "collectors/engine/", "sources/": "collectors/sources/",
    "status/": "exporter/status/", "web/": "exporter/web/",
}

PURE = {"base/", "model/", "decode/"}
BELOW_COLLECTORS = PURE | {"kernel/", "engine/", "sources/", "collectors/",
                           "prometheus/", "spdlog/"}

# (top folder, layer) -> (may include system headers, quoted prefixes,
# may include prometheus-cpp's serving headers). The layer is the first
# folder below the top one, or "" for the files directly in it.
LAYERS = {
    ("collectors", "base"): (False, {"base/"}, False),
    ("collectors", "model"): (False, {"base/", "model/"}, False),
    ("collectors", "decode"): (False, PURE, False),
    ("collectors", "kernel"): (True, {"base/", "kernel/"}, False),
    ("collectors", "engine"): (False, {"base/", "engine/", "prometheus/",
                                       "spdlog/"}, False),
    # Kernel reading and namespace plumbing: no metric type, no logging.
    ("collectors", "sources"): (False, PURE | {"kernel/", "sources/"}, False),
    ("collectors", ""): (True, BELOW_COLLECTORS, False),
    # The human view: rendered from the model, it sees no connection.
    ("exporter", "status"): (False, {"base/", "status/", "prometheus/"},
                             False),
    # Serving: what it serves comes from the scraper, never a collector.
    ("exporter", "web"): (True, {"base/", "engine/", "status/", "web/",
                                 "prometheus/", "civetweb.h",
                                 "CivetServer.h"}, True),
    ("exporter", ""): (True, BELOW_COLLECTORS | {"status/", "web/",
                                                 "exporter/"}, True),
}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def layer_of(root, path):
    relative = path.relative_to(root)
    top = relative.parts[0]
    layer = relative.parts[1] if len(relative.parts) > 2 else ""
    return top, layer


def check_include(layer_name, rules, kind, name):
    system_ok, prefixes, serving_ok = rules
    if kind == "<":
        if name in STANDARD or system_ok:
            return None
        return f"{layer_name} may include only the standard library, not <{name}>"
    for short, long in LAYER_FOLDERS.items():
        if name.startswith(long):
            return f'include "{name}" by its layer, as "{short}{name[len(long):]}"'
    if name.startswith("exporter/") and name.count("/") > 1:
        return f'"{name}" is below the shell: include it by its own layer'
    if not any(name.startswith(prefix) for prefix in prefixes):
        return f'{layer_name} may not include "{name}"'
    if name in PROMETHEUS_SERVING and not serving_ok:
        return f'{layer_name} may use prometheus-cpp core only, not "{name}"'
    return None


def check(root, path):
    top, layer = layer_of(root, path)
    layer_name = f"{top}/{layer}/" if layer else f"{top}/"
    rules = LAYERS.get((top, layer))
    where = path.relative_to(root)
    if rules is None:
        return [f"{where}: folder {layer_name} is not a known layer"]
    problems = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = INCLUDE.match(line)
        if match:
            problem = check_include(layer_name, rules, *match.groups())
            if problem:
                problems.append(f"{where}:{number}: {problem}")
    return problems


def main(argv):
    root = pathlib.Path(argv[1] if len(argv) > 1 else
                        pathlib.Path(__file__).resolve().parents[2])
    files = sorted(p for top in ("collectors", "exporter")
                   for p in (root / top).rglob("*")
                   if p.suffix in (".h", ".cc"))
    if not files:
        print(f"check_layers: no sources found under {root}")
        return 1
    problems = [problem for path in files for problem in check(root, path)]
    for problem in problems:
        print(problem)
    print(f"check_layers: {len(files)} files, {len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
