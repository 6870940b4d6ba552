"""Dependencies between the project's apps point one way: no import circle.

The graph is built from the source with ``ast``: every ``import`` and
``from ... import`` anywhere in a module counts, inside functions and under
``TYPE_CHECKING`` too (a delayed import is still a dependency, it only
hides from the interpreter). An edge A -> B means a module of app A imports
a module of app B; ``recordings.footage`` and ``recordings.playback`` are
apps of their own, apart from the rest of ``recordings``.

The project's wiring modules (settings, root URL confs, the ASGI/WSGI and
Celery entry points) are the root that assembles every app; they belong to
no app, and no app may import them (checked below).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The most specific first: a module belongs to the first app its name starts with.
APPS = ("recordings.footage", "recordings.playback", "accounts", "cameras", "recordings", "signaling", "portal")
WIRING = frozenset({"portal.settings", "portal.urls", "portal.api_urls", "portal.asgi", "portal.wsgi", "portal.celery"})

# App edges allowed to close a circle, each naming the modules behind it. None
# is left: every import points down the layers, portal's shared bases <
# accounts < cameras < signaling < recordings.footage < recordings <
# recordings.playback. The cycle test ignores exactly the edges listed here
# (any other edge that closes a circle fails), and the last test fails when a
# listed edge is gone, so the list can only shrink.
KNOWN_CYCLE_EDGES: dict[tuple[str, str], str] = {}


def app_of(module: str) -> str | None:
    return next((app for app in APPS if module == app or module.startswith(app + ".")), None)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> Iterator[tuple[str, int]]:
    """Every module ``path`` imports, wherever the import statement is, with its line."""
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # ``from recordings import motion`` imports the module recordings.motion
                candidate = f"{base}.{alias.name}"
                yield (candidate if _exists(candidate) else base), node.lineno


def project_imports() -> list[tuple[str, str, str]]:
    """(importing module, imported module, "file:line") for imports between different apps."""
    found = []
    for app in {app.split(".")[0] for app in APPS}:
        for path in sorted((ROOT / app).rglob("*.py")):
            importer = module_name(path)
            for imported, line in imported_modules(path):
                source, target = app_of(importer), app_of(imported)
                if importer in WIRING or target is None or source == target:
                    continue
                found.append((importer, imported, f"{path.relative_to(ROOT)}:{line}"))
    return found


def _exists(module: str) -> bool:
    """A real module or package of the project (``from x import name`` also yields ``x.name``)."""
    relative = Path(*module.split("."))
    return (ROOT / relative).with_suffix(".py").is_file() or (ROOT / relative / "__init__.py").is_file()


def app_graph(imports: list[tuple[str, str, str]]) -> dict[str, dict[str, list[str]]]:
    graph: dict[str, dict[str, list[str]]] = {app: {} for app in APPS}
    for importer, imported, where in imports:
        source, target = app_of(importer), app_of(imported)
        if (source, target) not in KNOWN_CYCLE_EDGES:
            graph[source].setdefault(target, []).append(f"{where} imports {imported}")
    return graph


def find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    """One circle of apps (first app repeated at the end), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(app: str) -> list[str] | None:
        state[app] = "open"
        stack.append(app)
        for target in sorted(graph[app]):
            if state.get(target) == "open":
                return [*stack[stack.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[app] = "done"
        return None

    for app in APPS:
        if app not in state and (cycle := visit(app)):
            return cycle
    return None


def describe(cycle: list[str], graph: dict[str, dict[str, list[str]]]) -> str:
    lines = [" -> ".join(cycle)]
    for source, target in zip(cycle, cycle[1:], strict=False):
        lines.append(f"  {source} -> {target}:")
        lines.extend(f"    {where}" for where in graph[source][target])
    return "\n".join(lines)


def test_no_import_circle_between_apps() -> None:
    graph = app_graph(project_imports())

    cycle = find_cycle(graph)

    assert cycle is None, "Import circle between apps:\n" + describe(cycle, graph)


def test_the_access_gate_imports_no_feature_model() -> None:
    gate = ROOT / "accounts" / "scoping.py"

    feature_imports = [
        f"line {line}: {module}" for module, line in imported_modules(gate)
        if app_of(module) not in (None, "accounts", "portal")
    ]

    assert feature_imports == []


def test_no_app_imports_the_project_wiring() -> None:
    wiring = [(importer, imported, where) for importer, imported, where in project_imports() if imported in WIRING]

    assert wiring == []


def test_every_known_exception_still_exists() -> None:
    current = {(app_of(importer), app_of(imported)) for importer, imported, _ in project_imports()}

    gone = [edge for edge in KNOWN_CYCLE_EDGES if edge not in current]

    assert gone == [], "These edges are gone: remove them from KNOWN_CYCLE_EDGES"


def is_tasks_module(module: str) -> bool:
    return module.rsplit(".", 1)[-1] == "tasks"


def test_only_tasks_modules_and_the_celery_app_import_a_tasks_module() -> None:
    """Services, views, consumers and commands queue work by name (``portal.work.enqueue``), never by import.

    Tasks import services; a service importing tasks closes a circle (three did before this rule).
    """
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for app in sorted({app.split(".")[0] for app in APPS})
        for path in sorted((ROOT / app).rglob("*.py"))
        if not is_tasks_module(module_name(path)) and module_name(path) not in WIRING
        for imported, line in imported_modules(path)
        if is_tasks_module(imported) and app_of(imported) is not None
    ]

    assert offenders == []
