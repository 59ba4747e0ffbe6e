"""jobgate's import layers (jobgate.testing.layers), and that the check catches what it must."""
from jobgate.testing.layers import (
    adapter_violations,
    test_jobgate_layers,  # noqa: F401  (the first two run here)
    violations,
)


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_layer_check_names_each_broken_rule(tmp_path):
    root = write(tmp_path / "jobgate", {
        "model.py": "from jobgate.rules import service\n",
        "rules/a.py": "import flask\nfrom . import b\nfrom jobgate.kit.app import create_app\n",
        "rules/b.py": "from redis import Redis\n",
        "store/c.py": "import rq\nfrom ..rules import a\n",
        "kit/d.py": "from jobgate.tools import cli\nimport adapters.native\n",
        "tools/e.py": "import jobgate.testing.plugin\n",
        "stray.py": "x = 1\n",
    })
    found = violations(root)
    expected = ["jobgate/model.py:1: top imports jobgate.rules", "jobgate/rules/a.py:1: imports flask",
                "jobgate/rules/a.py:3: rules imports jobgate.kit.app", "jobgate/rules/b.py:1: imports redis",
                "jobgate/store/c.py:2: store imports jobgate.rules", "jobgate/kit/d.py:1: kit imports jobgate.tools",
                "jobgate/kit/d.py:2: imports adapters.native", "jobgate/tools/e.py:1: tools imports jobgate.testing",
                "jobgate/stray.py: in no layer"]
    for start in expected:
        assert any(f.startswith(start) for f in found), (start, found)
    assert not any(f.startswith("jobgate/store/c.py:1") for f in found), "the store may import rq"
    assert not any("rules/b" in f and "a.py" in f for f in found)
    assert len(found) == len(expected), found


def test_the_adapter_check_names_each_broken_rule(tmp_path):
    root = write(tmp_path / "adapters", {
        "__init__.py": "",
        "one/__init__.py": "from adapters.one import routes\nfrom adapters.two import wire\n",
        "one/routes.py": "import redis\nfrom jobgate.store.executions import Store\nfrom jobgate.kit import fields\n",
    })
    found = adapter_violations(root)
    assert [f.split(": ")[0] for f in found] == ["adapters/one/__init__.py:2", "adapters/one/routes.py:1",
                                                 "adapters/one/routes.py:2"], found
