"""Shared fixtures and paths for the tests."""

import pathlib

import matplotlib

matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parents[1]
