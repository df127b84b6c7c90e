"""The examples as a user runs them: a fresh virtualenv, `pip install ./clients/python`, `mypy --strict` over
examples/, then the examples against a real system (the asyncio one included). Needs PyPI (CI reaches it)."""

from __future__ import annotations

import os
import subprocess
import venv

import pytest

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(PYTHON_DIR, "examples")


@pytest.fixture(scope="module")
def virtualenv(tmp_path_factory):
    """A virtualenv with nothing but the package (and, for mypy, its `typing` extra) installed from the tree."""
    directory = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(directory)
    python = str(directory / "bin" / "python")
    run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"{PYTHON_DIR}[typing]"])
    return python


def run(arguments, **options):
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # only what the venv has
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    result = subprocess.run(arguments, capture_output=True, text=True, env=environment, cwd="/", timeout=600,
                            **options)
    assert result.returncode == 0, f"{arguments}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_the_package_installs_from_the_tree_with_its_stubs_and_generated_modules(virtualenv):
    where = run([virtualenv, "-c", "import aftersale, aftersale.gateway.v1.gateway_pb2 as g; "
                                   "print(aftersale.__file__); print(g.__file__)"])
    assert "site-packages" in where and PYTHON_DIR not in where
    files = run([virtualenv, "-m", "pip", "show", "--files", "aftersale"])
    assert "aftersale/py.typed" in files and "aftersale/gateway/v1/gateway_pb2.pyi" in files


def test_mypy_strict_passes_over_the_examples(virtualenv):
    out = run([virtualenv, "-m", "mypy", "--strict", "--no-incremental", EXAMPLES])
    assert "Success" in out


def test_the_examples_run_against_a_live_gateway(virtualenv, seeded_system):
    gateway = seeded_system.gateway
    assert "SERVING" in run([virtualenv, os.path.join(EXAMPLES, "health_check.py"), gateway])
    assert run([virtualenv, os.path.join(EXAMPLES, "watch_health.py"), gateway, "--count", "1"]).strip() == "SERVING"

    token = seeded_system.token("customer", "cus_de_markus")
    out = run([virtualenv, os.path.join(EXAMPLES, "gateway_async.py"), gateway, token,
               "cus_de_markus", "ord_seed_de_markus_2", "ord_seed_de_markus_2_l1"])
    assert "opened case_" in out and "read back case_" in out and "timeline #1" in out, out

    out = run([virtualenv, os.path.join(EXAMPLES, "gateway_open_case.py"), gateway, token,
               "cus_de_markus", "ord_seed_de_markus_2", "ord_seed_de_markus_2_l2"])
    case_id = out.split()[1].rstrip(":")
    assert case_id.startswith("case_"), out
    out = run([virtualenv, os.path.join(EXAMPLES, "gateway_cancel_case.py"), gateway, case_id,
               seeded_system.token("agent", "python-tests")])
    assert "cancelled: CASE_STATUS_CANCELED" in out, out


