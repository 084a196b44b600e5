#!/usr/bin/env python3
"""Fails when a public declaration of the named modules has no documentation comment.

Reads the symbol graphs that `swift package generate-documentation` extracted for DocC
(.build/<triple>/extracted-symbols/<package>/<Module>/*.symbols.json, the newest of each module) and lists every
public or open symbol that is declared in the module's own sources (it has a source location: members the compiler
synthesizes, such as hash(into:), have none) and has no doc comment of its own or inherited from the protocol
requirement it implements. DocC itself renders such symbols without a word and does not warn.

Usage: docs-coverage.py OUT_DIR MODULE...   (OUT_DIR receives docs-coverage.txt)
"""
import glob
import json
import os
import sys


def newest_symbol_dir(module):
    dirs = [d for d in glob.glob(os.path.join(".build", "*", "extracted-symbols", "*", module)) if os.path.isdir(d)]
    if not dirs:
        sys.exit(f"docs-coverage: no extracted symbol graphs for {module} under .build (run .ci/docs)")
    return max(dirs, key=os.path.getmtime)


def missing(module):
    found, total = [], 0
    for path in sorted(glob.glob(os.path.join(newest_symbol_dir(module), "*.symbols.json"))):
        with open(path, encoding="utf-8") as f:
            graph = json.load(f)
        for symbol in graph.get("symbols", []):
            if symbol.get("accessLevel") not in ("public", "open"):
                continue
            location = symbol.get("location")
            if not location or f"/Sources/{module}/" not in location.get("uri", ""):
                continue  # synthesized by the compiler, or declared elsewhere
            total += 1
            if "docComment" not in symbol:
                uri = location["uri"].split(f"/Sources/{module}/", 1)[1]
                line = location.get("position", {}).get("line", 0) + 1
                name = ".".join(symbol.get("pathComponents", [symbol["names"]["title"]]))
                found.append(f"Sources/{module}/{uri}:{line}: warning: missing documentation: "
                             f"{symbol['kind']['displayName'].lower()} {module}.{name}")
    return found, total


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, modules = sys.argv[1], sys.argv[2:]
    lines, summary = [], []
    for module in modules:
        found, total = missing(module)
        lines += found
        summary.append(f"{module}: {total - len(found)} of {total} public declarations documented")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "docs-coverage.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(summary + lines) + "\n")
    for line in lines:
        print(line)
    print("docs-coverage: " + "; ".join(summary), flush=True)
    if lines:
        print(f"docs-coverage: {len(lines)} public declarations without documentation", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
