"""Which host paths a job's root binds and hides (pure path logic, no root needed)."""

import os
import sys

import pytest

from sandbox.runtime_paths import plan_mounts, project_root, runtime_mounts

SYSTEM = ["/usr", "/etc/ld.so.cache", "/etc/localtime"]


@pytest.mark.parametrize(
    ("runtime", "expected_binds"),
    [
        (["/tmp/tg copy/.venv"], ["/tmp/tg copy/.venv"]),
        (["/home/me/.pyenv/versions/3.11.7", "/home/me/tg/.venv"], None),
        (["/opt/tg/.venv", "/opt/tg/.venv/lib/python3.11/site-packages"], ["/opt/tg/.venv"]),
        (["/usr/lib/python3.11", "/usr/local/lib/python3.11/dist-packages"], []),
    ],
)
def test_nested_paths_collapse_into_the_outermost(runtime, expected_binds):
    mounts = plan_mounts(SYSTEM + runtime, hidden=[])
    expected = SYSTEM + (runtime if expected_binds is None else expected_binds)
    assert sorted(mounts.readonly_paths) == sorted(expected)
    assert mounts.hidden_paths == ()


def test_a_checkout_inside_a_bound_path_is_hidden_and_its_venv_bound_on_top():
    project = "/usr/local/src/tg"
    mounts = plan_mounts(SYSTEM + [f"{project}/.venv", f"{project}/.venv/lib"], [project])
    assert mounts.hidden_paths == (project,)
    assert f"{project}/.venv" in mounts.readonly_paths
    assert mounts.readonly_paths.index("/usr") < mounts.readonly_paths.index(f"{project}/.venv")


def test_a_venv_made_in_the_checkout_itself_never_binds_the_checkout():
    project = "/srv/tg"
    site_packages = f"{project}/lib/python3.11/site-packages"
    mounts = plan_mounts(SYSTEM + [project, site_packages], [project])
    assert project not in mounts.readonly_paths and site_packages in mounts.readonly_paths
    assert mounts.hidden_paths == ()


def test_a_hidden_directory_nothing_shows_needs_no_mask():
    mounts = plan_mounts(SYSTEM + ["/opt/venv"], ["/home/me/tg"])
    assert mounts.hidden_paths == ()


def test_this_interpreter_is_bound_and_this_checkout_is_not_shown():
    mounts = runtime_mounts([project_root()])
    assert any(sys.prefix.startswith(path) for path in mounts.readonly_paths)
    assert any(os.__file__.startswith(path + "/") for path in mounts.readonly_paths)
    root = project_root()
    shown = [p for p in mounts.readonly_paths if root.startswith(p + "/") or p == root]
    assert shown == [] or root in mounts.hidden_paths
