"""Shared paths and helpers for the tests."""

import os
import pathlib
import re

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")

# Property tests draw the same examples on every run, so CI is deterministic ("ci", the
# default). HYPOTHESIS_PROFILE=thorough draws ten times as many, freshly random each run.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=25)
settings.register_profile("thorough", deadline=None, max_examples=250)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = pathlib.Path(__file__).resolve().parents[1]

_CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)
_OPTIONS = re.compile(r"\A(?:---\n.*?^---\n|(?::[\w-]+:[^\n]*\n)+)", re.S | re.M)


def code_cells(text):
    """The Python source of every ``{code-cell}`` of a MyST notebook, options stripped."""
    return [_OPTIONS.sub("", body, count=1) for body in _CODE_CELL.findall(text)]
