"""The README's configuration table lists every environment variable that config/ reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READS = re.compile(
    r"""(?:os\.environ\.get|os\.environ\[|env_bool|env_list)\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def _settings_table() -> str:
    readme = (ROOT / "README.md").read_text()
    return "\n".join(line for line in readme.splitlines() if line.startswith("| `"))


def test_every_environment_variable_read_in_config_is_in_the_readme_table():
    names = set()
    for path in (ROOT / "config").glob("*.py"):
        names.update(READS.findall(path.read_text()))
    names.add("SECRET_KEY")  # read by config.env.local_secret_key
    assert {"TENSORGRADE_HOST", "DATABASE_CONN_MAX_AGE", "LOG_LEVEL"} <= names
    table = _settings_table()
    missing = sorted(name for name in names if f"`{name}`" not in table)
    assert missing == [], f"add these to the README's configuration table: {missing}"
