"""The import rules of the two wings, read from the source (``README.md``, "Data flow").

* the **core** (model, IRIs, store facade, settings, errors, representations, search, printed objective
  numbers) imports nothing else of the project;
* the **build wing** (corpus, RDF mapping, linkers, validation, the build, and ``loaders/``)
  imports the core and itself, never the service;
* the **service wing** (``gcmkg.service``, and ``gcmkg.mcp``, its MCP server) imports the core and itself, never the build wing
  nor the loaders;
* no module of ``gcmkg`` imports ``loaders`` (the build finds them through entry points), and
  no loader imports a linker;
* only the command line (``gcmkg.cli``) joins the wings.

Every ``import`` statement counts, including those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from gcmkg.settings import PROJECT_ROOT

CORE = {
    "gcmkg",
    "gcmkg.engines",
    "gcmkg.errors",
    "gcmkg.iris",
    "gcmkg.links",
    "gcmkg.model",
    "gcmkg.objective_numbers",
    "gcmkg.provisions",
    "gcmkg.releases",
    "gcmkg.remote",
    "gcmkg.representations",
    "gcmkg.search",
    "gcmkg.settings",
    "gcmkg.store",
}
ENTRY = {"gcmkg.cli", "gcmkg.__main__"}


def wing(module: str) -> str:
    """``core``, ``build``, ``service``, ``loaders`` or ``entry`` for a module of the project."""
    if module in CORE:
        return "core"
    if module in ENTRY:
        return "entry"
    if module == "loaders" or module.startswith("loaders."):
        return "loaders"
    if module == "gcmkg.service" or module.startswith("gcmkg.service."):
        return "service"
    if module == "gcmkg.mcp" or module.startswith("gcmkg.mcp."):  # the MCP server: the service, for agents
        return "service"
    return "build"


# what each wing may import, besides the standard library and third-party packages
ALLOWED = {
    "core": {"core"},
    "build": {"core", "build"},
    "loaders": {"core", "build", "loaders"},
    "service": {"core", "service"},
    "entry": {"core", "build", "service", "entry"},
}


def module_name(path: Path) -> str:
    relative = path.relative_to(PROJECT_ROOT / "src") if "src" in path.parts else path.relative_to(PROJECT_ROOT)
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(source: str, module: str, *, is_package: bool) -> list[tuple[int, str]]:
    """``(line, imported module)`` for every import of a project module in ``source``."""
    found = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from gcmkg.service import sparql` imports gcmkg.service.sparql
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] in ("gcmkg", "loaders")]


def known(name: str, modules: set[str]) -> str | None:
    """The project module an imported name refers to (a module, or a name inside one)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def violations(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """Broken rules in ``{module: (source, is_package)}``, one line each."""
    modules = set(sources)
    broken = []
    for module, (source, is_package) in sorted(sources.items()):
        for line, name in imports(source, module, is_package=is_package):
            target = known(name, modules)
            if target is None or target == module:
                continue
            if wing(target) not in ALLOWED[wing(module)]:
                broken.append(f"{module}:{line} ({wing(module)}) imports {target} ({wing(target)})")
            elif wing(module) == "loaders" and target.startswith("gcmkg.linking"):
                broken.append(f"{module}:{line}: a loader imports the linker {target}")
    return sorted(set(broken))


def project_sources() -> dict[str, tuple[str, bool]]:
    files = [*(PROJECT_ROOT / "src" / "gcmkg").rglob("*.py"), *(PROJECT_ROOT / "loaders").rglob("*.py")]
    return {module_name(p): (p.read_text(encoding="utf-8"), p.name == "__init__.py") for p in files}


def test_the_project_keeps_its_import_rules() -> None:
    sources = project_sources()
    assert "gcmkg.service.app" in sources and "loaders.final_text" in sources and "gcmkg.build" in sources
    assert violations(sources) == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("gcmkg.service.app", "from gcmkg.build import build\n", "(service) imports gcmkg.build (build)"),
        ("gcmkg.service.app", "def f():\n    import loaders.swedish\n", "imports loaders.swedish (loaders)"),
        ("gcmkg.store", "from gcmkg import rdf\n", "(core) imports gcmkg.rdf (build)"),
        ("gcmkg.build", "from loaders import final_text\n", "imports loaders.final_text (loaders)"),
        ("gcmkg.linking.review", "from ..service.app import create_app\n", "imports gcmkg.service.app (service)"),
        ("gcmkg.mcp.tools", "from gcmkg.build import build\n", "(service) imports gcmkg.build (build)"),
        (
            "loaders.final_text",
            "from gcmkg.linking.review import x\n",
            "a loader imports the linker gcmkg.linking.review",
        ),
    ],
)
def test_a_broken_rule_is_reported(module: str, source: str, expected: str) -> None:
    """The checker itself can fail: each kind of broken rule, planted in a copy of the sources."""
    sources = project_sources()
    sources[module] = (sources.get(module, ("", False))[0] + source, sources.get(module, ("", False))[1])
    found = violations(sources)
    assert any(expected in line for line in found), found


def test_the_command_line_may_join_the_wings() -> None:
    sources = project_sources()
    sources["gcmkg.cli"] = (sources["gcmkg.cli"][0] + "from gcmkg.service.app import create_app\n", False)
    assert not [line for line in violations(sources) if line.startswith("gcmkg.cli")]
