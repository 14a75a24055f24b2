"""Imports run one way: ops → channels/actions → domain → store → config, with no cycles.

A small AST walk instead of import-linter: it sees function-level imports too, which is where the
old circular imports hid.
"""
import ast
from pathlib import Path
from typing import Dict, Iterator, Set, Tuple

ROOT = Path(__file__).resolve().parents[1]

# Higher numbers sit higher in the stack; a module may import only its own rank or lower ones.
RANKS = (
    ("bot.ops.config", 0),
    ("bot.store", 1),
    ("bot.routing", 2), ("bot.intake", 2), ("bot.conversation", 2), ("bot.handoff", 2),
    ("bot.workspace", 2), ("bot.content", 2), ("bot.analytics", 2),
    ("bot.channels", 3), ("actions", 3),
    ("bot.ops", 4), ("bot.__main__", 4), ("bot", 4),
)
DOMAIN = ("bot.routing", "bot.intake", "bot.conversation", "bot.handoff", "bot.workspace", "bot.content", "bot.analytics")


def rank(module: str) -> int:
    for prefix, value in RANKS:
        if module == prefix or module.startswith(prefix + "."):
            return value
    raise AssertionError(f"{module} belongs to no layer: add it to RANKS in {Path(__file__).name}")


def package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "bot" and len(parts) > 1 else parts[0]


def our_modules() -> Dict[str, Path]:
    found = {}
    for base in ("bot", "actions"):
        for path in (ROOT / base).rglob("*.py"):
            if "migrations" in path.parts and "versions" in path.parts:
                continue
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports_of(module: str, path: Path, known: Set[str]) -> Iterator[Tuple[str, int]]:
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                yield name, node.lineno


def graph() -> Dict[str, Set[Tuple[str, int]]]:
    modules = our_modules()
    known = set(modules)
    return {m: set(imports_of(m, p, known)) for m, p in modules.items()}


def test_every_import_points_down_the_stack():
    wrong = []
    for module, targets in graph().items():
        for target, line in targets:
            if rank(target) > rank(module):
                wrong.append(f"{module}:{line} imports {target}")
    assert not wrong, "imports against the direction ops → channels → domain → store:\n" + "\n".join(wrong)


def test_domain_packages_do_not_import_each_other_in_a_cycle():
    edges: Dict[str, Set[str]] = {}
    for module, targets in graph().items():
        for target, _ in targets:
            a, b = package_of(module), package_of(target)
            if a != b and a in DOMAIN and b in DOMAIN:
                edges.setdefault(a, set()).add(b)
    assert not _cycles(edges), f"cycle between domain packages: {_cycles(edges)}"


def test_no_module_cycles():
    edges = {m: {t for t, _ in ts} for m, ts in graph().items()}
    cycles = _cycles(edges)
    assert not cycles, f"import cycles between modules: {cycles}"


def _cycles(edges: Dict[str, Set[str]]):
    found, state = [], {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


def test_the_checker_catches_an_upward_import(tmp_path):
    """Guards the guard: a store module importing a channel must be reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from bot.channels import webapp\n")
    known = set(our_modules())
    found = list(imports_of("bot.store.bad", bad, known))
    assert ("bot.channels.webapp", 2) in found
    assert rank("bot.channels.webapp") > rank("bot.store.bad")
