#!/usr/bin/python3
"""Prints, as one shell script, the README's code blocks that follow the line
`<!-- run by tests/container/run.sh -->`, in order, with the one value a
reader changes, the line `REGISTRY=...`, set to the registry given.

Usage: readme_commands.py README.md HOST:PORT
"""
import re
import sys

MARKER = "<!-- run by tests/container/run.sh -->"


def blocks(text):
    found = re.findall(re.escape(MARKER) + r"\n```sh\n(.*?)```", text, re.S)
    if text.count(MARKER) != len(found):
        raise ValueError(f"a {MARKER} line is not followed by a ```sh block")
    return found


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    script = "".join(blocks(open(sys.argv[1]).read()))
    script, count = re.subn(r"^REGISTRY=\S+", f"REGISTRY={sys.argv[2]}", script,
                            flags=re.M)
    if not script or count != 1:
        print(f"{sys.argv[1]}: want blocks after {MARKER} that set REGISTRY= "
              f"once; found {count} in {len(script)} characters", file=sys.stderr)
        return 1
    print(script, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
