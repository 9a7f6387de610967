#!/usr/bin/env python3
"""Checks the include rules of docs/architecture.md over the source tree.

Each folder of collectors/ is a layer. A file may include only the standard
library (the C++ headers, no ".h" system headers) and the layers its layer
depends on; kernel/ alone may include system headers, engine/ alone
prometheus and spdlog among the layers below the collectors. Prints every
violation as "file:line: reason" and exits 1 if there is any.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

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

# Layer folder -> (may include system headers, quoted prefixes it may use).
LAYERS = {
    "base": (False, {"base/"}),
    "model": (False, {"base/", "model/"}),
    "decode": (False, {"base/", "model/", "decode/"}),
    "kernel": (True, {"base/", "kernel/"}),
    "engine": (False, {"base/", "engine/", "prometheus/", "spdlog/"}),
}
# Files directly in collectors/: everything below them, never a layer's
# folder by its long path.
COLLECTORS = (True, {"base/", "model/", "decode/", "kernel/", "engine/",
                     "collectors/", "prometheus/", "spdlog/"})
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def rules_for(path):
    relative = path.relative_to(ROOT / "collectors")
    if len(relative.parts) == 1:
        return "collectors", COLLECTORS
    return relative.parts[0], LAYERS.get(relative.parts[0])


def check(path):
    layer, rules = rules_for(path)
    if rules is None:
        return [f"{path.relative_to(ROOT)}: folder {layer}/ is not a known layer"]
    system_ok, prefixes = rules
    problems = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = INCLUDE.match(line)
        if not match:
            continue
        kind, name = match.groups()
        where = f"{path.relative_to(ROOT)}:{number}"
        if kind == "<":
            if name not in STANDARD and not system_ok:
                problems.append(f"{where}: {layer}/ may include only the "
                                f"standard library, not <{name}>")
            continue
        if not any(name.startswith(prefix) for prefix in prefixes):
            problems.append(f'{where}: {layer}/ may not include "{name}"')
        elif re.match(r"collectors/(base|model|decode|kernel|engine)/", name):
            problems.append(f'{where}: include "{name}" by its layer, as '
                            f'"{name[len("collectors/"):]}"')
    return problems


def main():
    files = sorted(p for p in (ROOT / "collectors").rglob("*")
                   if p.suffix in (".h", ".cc"))
    if not files:
        print("check_layers: no sources found under collectors/")
        return 1
    problems = [problem for path in files for problem in check(path)]
    for problem in problems:
        print(problem)
    print(f"check_layers: {len(files)} files, {len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
