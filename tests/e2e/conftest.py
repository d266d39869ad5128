"""One real refresh shared by every end-to-end test module (read-only assertions run against it;
tests that run again leave it byte-identical or equivalent)."""

import pytest

from tests.e2e.support import run_cli


@pytest.fixture(scope="session")
def first_run(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("warehouse")
    completed = run_cli(warehouse)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-6000:]
    return warehouse, completed
