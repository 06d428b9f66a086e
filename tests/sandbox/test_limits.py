import dataclasses

import pytest

from sandbox.limits import Limits


def test_defaults_are_positive_and_named_with_units():
    limits = Limits()
    for field in dataclasses.fields(limits):
        assert field.name.endswith(("_s", "_mb", "_bytes")) or field.name.startswith("max_")
        assert getattr(limits, field.name) > 0


def test_limits_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Limits().memory_mb = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"memory_mb": 0}, "memory_mb must be positive"),
        ({"wall_time_s": -1.0}, "wall_time_s must be positive"),
        ({"memory_mb": 1.5}, "memory_mb must be a whole number"),
        ({"max_processes": True}, "max_processes must be a number"),
        ({"cpu_time_s": float("inf")}, "cpu_time_s must be positive"),
    ],
)
def test_invalid_values_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Limits(**kwargs)


def test_from_env_reads_prefixed_variables():
    limits = Limits.from_env({"SANDBOX_MEMORY_MB": "256", "SANDBOX_WALL_TIME_S": "2.5"})
    assert limits.memory_mb == 256
    assert limits.wall_time_s == 2.5
    assert limits.cpu_time_s == Limits().cpu_time_s


def test_from_env_rejects_non_numbers_with_the_variable_name():
    with pytest.raises(ValueError, match="SANDBOX_MEMORY_MB='lots' is not a whole number"):
        Limits.from_env({"SANDBOX_MEMORY_MB": "lots"})


def test_from_dict_round_trips_and_rejects_unknown_names():
    limits = Limits(memory_mb=300, wall_time_s=1.0)
    assert Limits.from_dict(limits.as_dict()) == limits
    with pytest.raises(ValueError, match="unknown limit"):
        Limits.from_dict({"memory": 1})


def test_cpu_rlimit_rounds_up_to_whole_seconds():
    assert Limits(cpu_time_s=0.2).cpu_time_rlimit_s == 1
    assert Limits(cpu_time_s=2.1).cpu_time_rlimit_s == 3
