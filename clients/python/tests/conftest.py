"""Makes the package importable from the source tree (the tests run without installing it) and provides the
real systems the end-to-end tests call."""

import os
import shutil
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pytest  # noqa: E402

from system import start_system  # noqa: E402


@pytest.fixture(scope="session")
def seeded_system():
    """One system with the demo data, shared by the tests that do not stop its services."""
    system = start_system(seed=True)
    yield system
    system.stop()
    shutil.rmtree(os.path.dirname(system.directory), ignore_errors=True)


@pytest.fixture
def fresh_system():
    """A system of its own (no demo data), for a test that kills its gateway: `up`'s restart backoff doubles
    with each crash, so each such test starts from 0.5 s."""
    system = start_system(seed=False)
    yield system
    system.stop()
    shutil.rmtree(os.path.dirname(system.directory), ignore_errors=True)
