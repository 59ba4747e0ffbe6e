"""Settings from an explicit mapping, through environs: each variable read, bad values named."""
import pytest
from environs import validate

from jobgate import limits
from jobgate.settings import Settings, SettingsError, variables

#: a value of each kind and what it reads as
SAMPLES = {"str": ("/some/where", "/some/where"), "int": ("7", 7), "float": ("2.5", 2.5),
           "list": (" a, b ,,c", ("a", "b", "c")), "counts": ("1,0,3", (1, 0, 3)),
           "bool": ("0", False)}


def sample(item) -> tuple[str, object]:
    """A value of the variable's kind other than its default, and what it reads as."""
    check = item.metadata["check"]
    if isinstance(check, validate.OneOf):
        choice = next(choice for choice in check.choices if choice != item.default)
        return choice, choice
    return SAMPLES[item.metadata["kind"]]


def test_each_variable_sets_its_field_from_an_explicit_mapping():
    for item in variables():
        raw, expected = sample(item)
        settings = Settings.from_env({item.metadata["variable"]: raw})
        assert getattr(settings, item.name) == expected != item.default, item.name


def test_unset_or_blank_variables_give_the_defaults_and_overrides_win():
    assert Settings.from_env({}) == Settings() == Settings.from_env({"JOBGATE_MAX_BODY": " "})
    assert Settings.from_env({}).max_body == limits.BODY_MAX
    assert Settings.from_env({"JOBGATE_QUEUES": "a"}, queues=("b",)).queues == ("b",)
    assert Settings.from_env({"JOBGATE_SAHARA_X": " y "}).option("SAHARA_X") == "y"


@pytest.mark.parametrize(("variable", "value", "why"), [
    ("JOBGATE_MAX_BODY", "1MB", "Not a valid integer"),
    ("JOBGATE_MAX_BODY", "0", "greater than 0"),
    ("JOBGATE_RETENTION", "-1", "greater than or equal to 0"),
    ("JOBGATE_HEARTBEAT_INTERVAL", "soon", "Not a valid number"),
    ("JOBGATE_LOGIN_FAILURES", "1,2", "3 whole numbers"),
    ("JOBGATE_LOGIN_FAILURES", "1,-2,3", "3 whole numbers"),
    ("JOBGATE_REDIS_TLS_VERIFY", "maybe", "Not a valid boolean"),
])
def test_a_bad_value_is_one_line_naming_the_variable_and_the_value(variable, value, why):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({variable: value})
    message = str(caught.value)
    assert message.startswith(f"{variable}={value!r} is not valid") and why in message and "\n" not in message


def test_the_readme_configuration_table_is_the_one_the_settings_generate():
    from jobgate.tools import help_text
    from jobgate.tools.docs import END, SETTINGS_START
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    block = readme.split(SETTINGS_START, 1)[1].split(END, 1)[0].strip()
    assert block == help_text.markdown(), "run `python -m jobgate.tools.docs` to regenerate the README tables"
