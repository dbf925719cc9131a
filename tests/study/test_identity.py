"""A study's identity is a fingerprint of what a trial would draw or compute (benchmark.study.identity):
a space change (a normalization registered by this test) refuses to resume the study in one line
that names what differs, and leaves the stored study untouched."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.searchutil import load, search

ARGS = ("--trials", "1", "--models", "minirocket", "--ablation-families", "1", "--random-per-family", "1")

REGISTER_AND_SEARCH = """
import sys
import numpy as np
from benchmark.transforms.base import Transform, register_transform

@register_transform
class Tanh(Transform):
    kind, name = "normalization", "tanh_test"
    def transform(self, X):
        return np.tanh(np.asarray(X, dtype=np.float32))

from benchmark.search import main
main(sys.argv[1:])
"""


def test_fingerprint_names_its_parts():
    from benchmark.study.identity import RESULTS_SCHEMA, digest

    assert digest({"a": 1, "b": [1, 2]}) == digest({"b": [1, 2], "a": 1})
    assert RESULTS_SCHEMA >= 2


@pytest.mark.slow
def test_a_new_normalization_refuses_to_resume_in_one_line(tmp_path):
    search(tmp_path, *ARGS)
    before = (tmp_path / "pe" / "study.journal").read_bytes()
    cmd = [sys.executable, "-c", REGISTER_AND_SEARCH, "--task", "pe", "--budget", "smoke", "--results-dir",
           str(tmp_path), *ARGS[:1], "2", *ARGS[2:]]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2, proc.stderr[-2000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "another budget" in errors[0], proc.stderr[-2000:]
    assert (tmp_path / "pe" / "study.journal").read_bytes() == before
    assert all(t.state.name != "FAIL" for t in load(tmp_path).trials)
    # unchanged but for a larger --trials (which moves where the ablation starts), the command resumes
    search(tmp_path, *ARGS[:1], "2", *ARGS[2:])
    assert len(load(tmp_path).trials) == 2
