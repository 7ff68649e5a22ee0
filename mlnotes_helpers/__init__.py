"""Small shared helpers for the mlnotes book.

The package is deliberately thin: plotting style, seeding, readable numerical checks, input
validators, loaders for bundled data sets, animation and timing helpers, standard
optimization test functions and the chapter loader. The algorithms live in the chapters.
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
from mlnotes_helpers.loader import chapter_slugs, load_chapter
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
from mlnotes_helpers.validation import (
    as_array,
    as_callable,
    as_int,
    as_matrix,
    as_rng,
    as_scalar,
    as_square_matrix,
    as_symmetric_matrix,
    as_vector,
    check_raises,
)

__all__ = [
    "PALETTE",
    "TEST_FUNCTIONS",
    "TestFunction",
    "animate",
    "as_array",
    "as_callable",
    "as_int",
    "as_matrix",
    "as_rng",
    "as_scalar",
    "as_square_matrix",
    "as_symmetric_matrix",
    "as_vector",
    "chapter_slugs",
    "check_raises",
    "load_chapter",
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
