"""The lock files agree with what they lock: each .in file's pins, and with each other.

`make lock` writes them all at once; an edit by hand or an update of one lock alone (a
Dependabot pull request for src/ only, say) can leave them apart, and then the tests would run
on other code than `sam build` ships.
"""

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCKS = {
    "src/requirements.in": "src/requirements.txt",
    **{f"requirements/{name}.in": f"requirements/{name}.txt" for name in ("dev", "tools", "scan")},
    "requirements/pip.in": "requirements/pip.txt",
}
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def pins_of(path: Path) -> dict[str, Requirement]:
    """The requirements an .in file names, with those of the files it takes in (-r)."""
    pins: dict[str, Requirement] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins |= pins_of(path.parent / line.removeprefix("-r ").strip())
        elif line:
            requirement = Requirement(line)
            pins[canonicalize_name(requirement.name)] = requirement
    return pins


def locked(path: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """Each package of a lock file: its pinned version and its files' hashes."""
    text = re.sub(r"\s*\\\n\s*", " ", path.read_text(encoding="utf-8"))
    entries = {}
    for line in text.splitlines():
        if not line or line.lstrip().startswith("#"):
            continue
        requirement = Requirement(HASH.sub("", line).strip())
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{path.name}: {line}"
        hashes = frozenset(HASH.findall(line))
        entries[canonicalize_name(requirement.name)] = (specifier.version, hashes)
    return entries


@pytest.mark.parametrize("source", LOCKS)
def test_every_locked_package_is_pinned_with_its_hashes(source):
    for name, (_, hashes) in locked(ROOT / LOCKS[source]).items():
        assert hashes, f"{LOCKS[source]}: {name} has no hash; run make lock"


@pytest.mark.parametrize("source", LOCKS)
def test_a_lock_holds_the_version_its_source_pins(source):
    lock = locked(ROOT / LOCKS[source])
    for name, requirement in pins_of(ROOT / source).items():
        assert name in lock, f"{source} names {name}, {LOCKS[source]} does not: run make lock"
        version, _ = lock[name]
        assert version in requirement.specifier, f"{LOCKS[source]}: {name} {version}; make lock"


def test_the_tests_install_what_the_function_ships():
    development = locked(ROOT / "requirements/dev.txt")
    for name, entry in locked(ROOT / "src/requirements.txt").items():
        assert development.get(name) == entry, f"{name}: the two locks differ; run make lock"
