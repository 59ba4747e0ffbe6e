"""jobgate's layers, and the imports each may make, read from the source (ast).

    top      jobgate/{model,errors,settings,limits}.py   the canonical model, errors, settings, limits
    rules    jobgate/rules/      use cases and rules: no HTTP, no Redis
    store    jobgate/store/      all of Redis and RQ, and nothing above it
    kit      jobgate/kit/        the adapter SDK
    testing  jobgate/testing/    the conformance suite and its driver base
    tools    jobgate/tools/      cli, client, embedded Redis, docs (and jobgate/__main__.py)

Every module belongs to one layer. Nothing under jobgate/ imports `adapters` or
`workers` (they are found through entry points), only the store imports redis
or rq, and only the suite imports the suite. Adapters (when installed beside
jobgate) import neither redis, rq, jobgate.store, workers nor one another.

`test_jobgate_layers` and `test_adapters_keep_to_the_kit_and_the_service` are the
checks; a project runs them by importing them into a test module.
"""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import jobgate

TOP = {"model", "errors", "settings", "limits", "__init__"}
FOLDERS = {"rules", "store", "kit", "testing", "tools"}
HTTP = {"flask", "werkzeug", "flask_smorest", "marshmallow", "webargs", "apispec"}
REDIS = {"redis", "rq"}
#: layer -> the jobgate layers it must not import, and why
FORBIDDEN: dict[str, tuple[set[str], str]] = {
    "top": (FOLDERS, "the model, errors, settings and limits import no other layer"),
    "rules": ({"kit", "testing", "tools"}, "use cases know no adapter SDK, suite or tools"),
    "store": ({"rules", "kit", "testing", "tools"}, "the store knows nothing above it"),
    "kit": ({"testing", "tools"}, "the adapter SDK needs no suite or tools"),
    "testing": (set(), ""),
    "tools": ({"testing"}, "only the suite imports the suite"),
}


def layer_of(relative: Path) -> str | None:
    """The layer of a module, by its path inside jobgate/."""
    if len(relative.parts) == 1:
        if relative.stem == "__main__":
            return "tools"
        return "top" if relative.stem in TOP else None
    return relative.parts[0] if relative.parts[0] in FOLDERS else None


def imports(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, dotted name) of everything a module imports, relative imports resolved;
    `from package import name` also counts as importing `package.name`."""
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(filter(None, [*parent, base]))
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names if alias.name != "*"]
    return found


def _modules(root: Path, package: str):
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        dotted = ".".join((package, *relative.with_suffix("").parts)).removesuffix(".__init__")
        yield path, relative, dotted


def violations(root: Path | None = None) -> list[str]:
    """Every import under `root` (default: the installed jobgate package) that breaks a layer rule."""
    root = Path(root or Path(jobgate.__file__).parent)
    found: dict[tuple, str] = {}          # one finding per line and rule
    for path, relative, dotted in _modules(root, "jobgate"):
        layer = layer_of(relative)
        where = f"jobgate/{relative}"
        if layer is None:
            found[where,] = (f"{where}: in no layer (top modules: {', '.join(sorted(TOP - {'__init__'}))}; "
                             f"folders: {', '.join(sorted(FOLDERS))})")
            continue
        forbidden, why = FORBIDDEN[layer]
        for line, name in imports(path, dotted):
            head = name.split(".")[0]
            if head in REDIS and layer != "store":
                found.setdefault((where, line, head),
                                 f"{where}:{line}: imports {name} (all of Redis and RQ is in jobgate/store)")
            elif head in HTTP and layer in ("rules", "store", "top"):
                found.setdefault((where, line, head), f"{where}:{line}: imports {name} ({layer} knows no HTTP)")
            elif head in ("adapters", "workers"):
                found.setdefault((where, line, head),
                                 f"{where}:{line}: imports {name} (jobgate finds {head} through entry points)")
            elif head == "jobgate" and name.count(".") >= 1:
                target = name.split(".")[1]
                target_layer = "top" if target in TOP else target if target in FOLDERS else None
                if target_layer in forbidden:
                    found.setdefault((where, line, target_layer), f"{where}:{line}: {layer} imports {name} ({why})")
    return sorted(found.values())


def adapter_violations(root: Path | None = None) -> list[str]:
    """Imports of the `adapters` package (when installed) that reach past the kit and the service."""
    if root is None:
        spec = importlib.util.find_spec("adapters")
        if spec is None or not spec.submodule_search_locations:
            return []
        root = Path(list(spec.submodule_search_locations)[0])
    found: dict[tuple, str] = {}
    for path, relative, dotted in _modules(Path(root), "adapters"):
        if len(relative.parts) < 2:
            continue
        own = relative.parts[0]
        for line, name in imports(path, dotted):
            parts = name.split(".")
            if parts[0] in REDIS or parts[:2] == ["jobgate", "store"] or parts[0] == "workers":
                found.setdefault((relative, line, "store"), f"adapters/{relative}:{line}: imports {name} (an adapter "
                                 "calls the service, never Redis, RQ or the store)")
            elif parts[0] == "adapters" and len(parts) > 1 and parts[1] != own:
                found.setdefault((relative, line, "adapter"), f"adapters/{relative}:{line}: imports {name} (an adapter "
                                 "never imports another)")
    return sorted(found.values())


def test_jobgate_layers():
    found = violations()
    assert not found, "layer rules broken:\n" + "\n".join(found)


def test_adapters_keep_to_the_kit_and_the_service():
    found = adapter_violations()
    assert not found, "adapter rules broken:\n" + "\n".join(found)
