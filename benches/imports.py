#!/usr/bin/env python3
"""Measures the import graph between stagebook's top-level modules (issue 16).

For each top-level module of src/ (a file `src/x.rs` or a folder `src/x/`), lists the other
top-level modules its code names as `crate::y` (in `use` lines and inline paths; comments, doc
links and `#[cfg(test)]` tests are skipped), then prints the cycles (strongly connected components of more than one
module). `--check` exits 1 when a cycle involves one of `source`, `diagnostic`, `load` or
`report`, or when one of the arrows issue 16 forbids is present.

    python3 benches/imports.py [--check] [SRC]
"""

import re
import sys
from pathlib import Path

# Arrows issue 16 says must never exist (from module, to module).
FORBIDDEN = [
    ("source", m) for m in ("diagnostic", "load", "report", "lint", "cli", "check", "validate")
] + [
    ("diagnostic", "load"),
    ("diagnostic", "lint"),
    ("diagnostic", "report"),
    ("report", "lint"),
    ("report", "load"),
    ("report", "check"),
    ("check", "report"),
]
# Nothing below the command line imports it.
FORBIDDEN_TARGETS = {"cli": "the command line sits on top: nothing imports it"}
GROUND = {"source", "diagnostic", "load", "report"}

PATH = re.compile(r"\bcrate::(?:\{\s*)?([a-z_][a-z0-9_]*)")
GROUP = re.compile(r"\bcrate::\{([^}]*)\}", re.S)


def top_modules(src: Path) -> dict[str, list[Path]]:
    modules: dict[str, list[Path]] = {}
    for path in sorted(src.rglob("*.rs")):
        rel = path.relative_to(src)
        name = rel.parts[0].removesuffix(".rs")
        if name in ("lib", "main"):
            continue
        modules.setdefault(name, []).append(path)
    return modules


def code_of(path: Path) -> str:
    """The file's code without comments and without its `#[cfg(test)]` tests (a test may reach
    across layers to set up a case; the layering is about what the program itself imports)."""
    text = path.read_text(encoding="utf-8").split("#[cfg(test)]")[0]
    lines = text.splitlines()
    return "\n".join(l for l in lines if not l.lstrip().startswith("//"))


def edges(modules: dict[str, list[Path]]) -> dict[str, dict[str, set[str]]]:
    """module -> imported module -> files that import it."""
    graph: dict[str, dict[str, set[str]]] = {m: {} for m in modules}
    for module, files in modules.items():
        for path in files:
            code = code_of(path)
            names = set(PATH.findall(code))
            for group in GROUP.findall(code):
                names.update(re.findall(r"(?:^|,)\s*([a-z_][a-z0-9_]*)", group))
            for name in names:
                if name in modules and name != module:
                    graph[module].setdefault(name, set()).add(str(path))
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    args = [a for a in sys.argv[1:] if a != "--check"]
    check = "--check" in sys.argv[1:]
    src = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "src"
    graph = edges(top_modules(src))
    print("imports per top-level module (module -> modules it names as crate::…):")
    for module in sorted(graph):
        targets = ", ".join(sorted(graph[module])) or "(none)"
        print(f"  {module:<10} -> {targets}")
    found = cycles(graph)
    print("cycles:" if found else "cycles: none")
    for component in found:
        print("  " + " <-> ".join(component))
    bad = []
    for a, b in FORBIDDEN:
        if b in graph.get(a, {}):
            files = ", ".join(sorted(graph[a][b]))
            bad.append(f"  {a} -> {b} (in {files})")
    for target, why in FORBIDDEN_TARGETS.items():
        for module in sorted(graph):
            if target in graph[module]:
                files = ", ".join(sorted(graph[module][target]))
                bad.append(f"  {module} -> {target} ({why}; in {files})")
    print("forbidden arrows:" if bad else "forbidden arrows: none")
    print("\n".join(bad)) if bad else None
    ground_cycles = [c for c in found if GROUND & set(c)]
    if check and (bad or ground_cycles):
        for c in ground_cycles:
            print("cycle through the ground floor: " + " <-> ".join(c), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
