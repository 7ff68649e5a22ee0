"""Small shared helpers for the mlnotes book.

The package is deliberately thin: plotting style, seeding, readable numerical checks,
loaders for bundled data sets, animation and timing helpers, and standard optimization
test functions. The algorithms themselves live in the chapters.
"""

from mlnotes_helpers.animation import animate
from mlnotes_helpers.checks import check, check_close
from mlnotes_helpers.data import (
    load_breast_cancer,
    load_co2,
    load_diabetes,
    load_digits,
    load_english_text,
    load_iris,
    load_wine,
)
from mlnotes_helpers.seeding import make_rng
from mlnotes_helpers.style import PALETTE, set_style
from mlnotes_helpers.testfunctions import (
    TEST_FUNCTIONS,
    TestFunction,
    branin,
    branin_grad,
    ellipsoid,
    ellipsoid_grad,
    hartmann3,
    hartmann3_grad,
    hartmann6,
    hartmann6_grad,
    rosenbrock,
    rosenbrock_grad,
    sphere,
    sphere_grad,
)
from mlnotes_helpers.timing import median_time, speed_ratio

__all__ = [
    "PALETTE",
    "TEST_FUNCTIONS",
    "TestFunction",
    "animate",
    "branin",
    "branin_grad",
    "check",
    "check_close",
    "ellipsoid",
    "ellipsoid_grad",
    "hartmann3",
    "hartmann3_grad",
    "hartmann6",
    "hartmann6_grad",
    "load_breast_cancer",
    "load_co2",
    "load_diabetes",
    "load_digits",
    "load_english_text",
    "load_iris",
    "load_wine",
    "make_rng",
    "median_time",
    "rosenbrock",
    "rosenbrock_grad",
    "set_style",
    "speed_ratio",
    "sphere",
    "sphere_grad",
]
