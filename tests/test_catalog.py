"""The operator's catalog file: loaded, and every mistake named by file, job and field."""
import pytest

from jobgate.rules.catalog import CatalogError, load_file, step_types
from jobgate.settings import Settings

SETTINGS = Settings(python_allow=("examples",))


def write(tmp_path, text):
    path = tmp_path / "catalog.toml"
    path.write_text(text)
    return str(path)


def test_example_catalog_loads():
    jobs = load_file("examples/catalog.toml", step_types(), SETTINGS)
    by_id = {job.id: job for job in jobs}
    assert [s.id for s in by_id["CustomerImportJob"].steps] == ["ImportCustomers", "Reindex"]
    assert by_id["CustomerImportJob"].allow_concurrent is False and by_id["CustomerImportJob"].timeout == 600
    assert all(job.uuid == job.stable_uuid() for job in jobs)


@pytest.mark.parametrize("text, expected", [
    ('[[job]]\nid = "A"\n[[job.step]]\ntype = "teleport"\n', "job 'A': step[0].type: unknown step type 'teleport'"),
    ('[[job]]\nid = "A"\n', "job 'A': step: a job needs at least one step"),
    ('[[job]]\nid = "A B"\n[[job.step]]\ntype = "sleep"\nparams = {seconds = 1}\n', "job 'A B': id:"),
    ('[[job]]\nid = "A"\n[[job.step]]\ntype = "shell"\nparams = {argv = "rm -rf /"}\n', "job 'A': step[0].params.argv"),
    ('[[job]]\nid = "A"\n[[job.step]]\ntype = "python"\nparams = {callable = "os:system"}\n',
     "job 'A': step[0].params.callable"),
    ('[[job]]\nid = "A"\ntimeout = -1\n[[job.step]]\ntype = "sleep"\nparams = {seconds = 1}\n', "job 'A': timeout"),
    ('[[job]]\nid = "A"\nallow_concurrent = "no"\n[[job.step]]\ntype = "sleep"\nparams = {seconds = 1}\n',
     "job 'A': allow_concurrent"),
    ('[[job]]\nid = "A"\n[[job.step]]\ntype = "sleep"\nparams = {seconds = 1}\n' * 2, "job 'A': id: defined twice"),
    ('[[job]\n', "catalog.toml"),
])
def test_mistakes_are_named(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(CatalogError) as caught:
        load_file(path, step_types(), SETTINGS)
    assert str(caught.value).startswith(path)
    assert expected in str(caught.value)


@pytest.mark.parametrize("line, expected", [
    ("alow_concurrent = false", "alow_concurrent: unknown key"),
    ("retries = -3", "retries: must be 0 to 100"),
    ('retry_delay = "soon"', "retry_delay: must be 0 to 86400 seconds"),
    ("timeout = true", "timeout: must be a positive number"),
    ('schedule = "every tuesday"', "schedule: must be a cron expression"),
])
def test_wrong_or_unknown_job_keys_are_named(tmp_path, line, expected):
    path = write(tmp_path, f'[[job]]\nid = "A"\n{line}\n[[job.step]]\ntype = "sleep"\nparams = {{seconds = 1}}\n')
    with pytest.raises(CatalogError, match=f"job 'A': {expected}"):
        load_file(path, step_types(), SETTINGS)


def test_wrong_step_keys_are_named(tmp_path):
    path = write(tmp_path, '[[job]]\nid = "A"\n[[job.step]]\ntype = "sleep"\ntimeout = "5"\nparams = {seconds = 1}\n')
    with pytest.raises(CatalogError, match=r"step\[0\].timeout: must be a positive number"):
        load_file(path, step_types(), SETTINGS)
    path = write(tmp_path, '[[job]]\nid = "A"\n[[job.step]]\ntype = "sleep"\nparam = {seconds = 1}\n')
    with pytest.raises(CatalogError, match=r"step\[0\].param: unknown key"):
        load_file(path, step_types(), SETTINGS)
