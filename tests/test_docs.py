"""The README's support table is the one the installed dialects generate."""
from pathlib import Path

from jobgate.docs import END, START, table


def test_readme_table_matches_the_dialects():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    generated = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert generated == table(), "run `python -m jobgate.docs` to regenerate the README table"
