"""The README documents every command and every setting, and its quick start is what CI runs."""

from pathlib import Path

from ecograph.cli import main
from ecograph.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme():
    for name, command in main.commands.items():
        assert f"`ecograph {name}" in README, name
        assert command.help and "Example" in command.help, f"{name} has no example in its help"


def test_every_setting_is_in_the_readme():
    for setting in SETTINGS.values():
        assert f"`{setting.env}`" in README, setting.env


def test_quick_start_is_two_commands_and_ci_runs_the_second():
    quick = README.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.strip().splitlines()]
    assert commands == ["./run.sh", "./test.sh"]
    ci = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci == ["./test.sh"]
