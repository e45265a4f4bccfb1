"""The shape of the code, read from its source with `ast` (no app, no store): no import cycle among dashboard's
modules, no `dashboard.*` import inside a function unless a comment on its line says why, and the read side never
importing the write side."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "dashboard"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def read_modules(package: Path) -> dict[str, tuple[Path, str]]:
    """{module name: (path, source)} for every module of the package."""
    return {module_name(path, package.parent): (path, path.read_text(encoding="utf-8"))
            for path in package.rglob("*.py")}


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The dotted names an import statement asks for (`from a import b` asks for a.b, which may be a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
        base = ".".join(parts + ([base] if base else []))
    return [f"{base}.{alias.name}" for alias in node.names]


def imports(modules: dict[str, tuple[Path, str]]) -> tuple[dict[str, set[str]], list[str]]:
    """(module -> the package's modules it imports, at module level or inside functions;
    each `dashboard.*` import made inside a function with no comment on its line, as "path:line: statement")."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    hidden = []

    def known(name: str) -> str | None:   # a.b.c -> the longest prefix that is one of the modules (a.b.c, a.b or a)
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    for name, (path, source) in modules.items():
        tree, lines = ast.parse(source), source.splitlines()
        in_function = {id(inner) for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                       for inner in ast.walk(node) if inner is not node}
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            targets = [t for t in map(known, _imported(node, name, path.name == "__init__.py")) if t and t != name]
            graph[name].update(targets)
            if targets and id(node) in in_function and "#" not in lines[node.lineno - 1]:
                hidden.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    return graph, hidden


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import one another in a circle (strongly connected, more than one module or one
    importing itself), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.fixture(scope="module")
def package_imports() -> tuple[dict[str, set[str]], list[str]]:
    """The dashboard package's import graph and hidden imports, read once for the tests below."""
    return imports(read_modules(PACKAGE))


def test_no_import_cycles(package_imports):
    graph, _hidden = package_imports
    assert cycles(graph) == []


def test_no_dashboard_import_inside_a_function_without_a_comment_saying_why(package_imports):
    _graph, hidden = package_imports
    assert hidden == []


def is_read_side(module: str) -> bool:
    """The cached reads and what pages compute from them: the loader and each dashboard's data, view, metrics and
    figures."""
    return (module.split(".")[:2] == ["dashboard", "loader"]
            or module.startswith("dashboard.dashboards.")
            and module.rsplit(".", 1)[-1] in ("data", "view", "metrics", "figures"))


def is_write_side(module: str) -> bool:
    """What changes the store: the ingest engine, each dashboard's returns (its writes and upload spec), the published
    import, demo data and start-up."""
    return (module.split(".")[:2] == ["dashboard", "ingest"]
            or module.startswith("dashboard.dashboards.") and module.endswith(".returns")
            or module in ("dashboard.published.store", "dashboard.published.routes", "dashboard.demo",
                          "dashboard.store.setup"))


def test_the_read_side_never_imports_the_write_side(package_imports):
    graph, _hidden = package_imports
    assert sorted(f"{m} -> {n}" for m in graph if is_read_side(m) for n in graph[m] if is_write_side(n)) == []


def test_the_checks_find_a_cycle_and_a_hidden_import(tmp_path):
    # A package made up for the check: a imports b at the top, b imports a inside a function; c imports with a reason.
    package = tmp_path / "dashboard"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from dashboard import b\n")
    (package / "b.py").write_text("def f():\n    from dashboard.a import x\n    return x\n")
    (package / "c.py").write_text("def g():\n    import dashboard.b  # heavy, and only for this command\n")
    graph, hidden = imports(read_modules(package))
    assert cycles(graph) == [["dashboard.a", "dashboard.b"]]
    assert hidden == [f"{package / 'b.py'}:2: from dashboard.a import x"]


# --- one package per dashboard ---------------------------------------------------------------------------------------

DASHBOARDS = "dashboard.dashboards"
# Shared modules that may name a dashboard's module, and why (everything else finds dashboards by discovery).
NAMES_DASHBOARDS = {
    "dashboard.ingest.samples": "seeded example returns for the tests and `bench ingest`, built from each dataset's codes",
}


def _dashboard_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if module.startswith(DASHBOARDS + ".") and len(parts) > 2 else None


def dashboard_coupling(graph: dict[str, set[str]]) -> list[str]:
    """Imports that tie a dashboard to another, or a shared module to a dashboard: a dashboard may read another's
    declared reads (its `data` module, e.g. the regional dataset), nothing else of it; a shared module names none."""
    found = []
    for module, targets in graph.items():
        mine = _dashboard_of(module)
        for target in sorted(targets):
            theirs = _dashboard_of(target)
            if theirs is None or theirs == mine:
                continue
            if mine is not None and target != f"{DASHBOARDS}.{theirs}.data":
                found.append(f"{module} -> {target}")
            elif mine is None and module not in NAMES_DASHBOARDS:
                found.append(f"{module} -> {target}")
    return found


def test_each_dashboard_is_one_package(package_imports):
    assert dashboard_coupling(package_imports[0]) == []


def test_a_page_reaches_its_computation_through_its_own_view(package_imports):
    """page -> its own view -> its own metrics: a page imports no metrics or figures, its own or another's."""
    graph, _hidden = package_imports
    pages = [m for m in graph if m.startswith(DASHBOARDS + ".") and m.endswith(".page")]
    assert pages
    for page in pages:
        name = _dashboard_of(page)
        assert f"{DASHBOARDS}.{name}.view" in graph[page], page
        assert not {t for t in graph[page] if t.endswith((".metrics", ".figures"))}, page


def test_the_coupling_check_finds_a_dashboard_reaching_into_another():
    graph = {f"{DASHBOARDS}.send.page": {f"{DASHBOARDS}.benchmarking.view", f"{DASHBOARDS}.benchmarking.data"},
             "dashboard.warming": {f"{DASHBOARDS}.send.view"}, "dashboard.ingest.samples": {f"{DASHBOARDS}.send.returns"}}
    assert dashboard_coupling(graph) == [f"{DASHBOARDS}.send.page -> {DASHBOARDS}.benchmarking.view",
                                         f"dashboard.warming -> {DASHBOARDS}.send.view"]
