"""The project's statistical methods, implemented once and importable from a notebook.

Definitions and choices: ``docs/methods.md``. Submodules: ``intervals`` (PHE/OHID confidence
intervals), ``benchmark`` (the Fingertips comparison rule), ``funnel`` (HQIP funnel-plot outliers with
the SHMI overdispersion method), ``spc`` (Making Data Count XmR charts). All functions are pure.
"""

from orchestration.methods.benchmark import POLARITIES, compare_to_benchmark, compare_to_benchmark_array
from orchestration.methods.funnel import STATUSES, funnel, poisson_control_limits
from orchestration.methods.intervals import (
    byar_ci,
    chi_square_quantile,
    chi_square_quantile_even,
    exact_poisson_ci,
    poisson_ci,
    poisson_ci_array,
    rate_ci,
    ratio_ci,
    wilson_ci,
    wilson_ci_array,
    z_value,
)
from orchestration.methods.spc import RULES, xmr, xmr_many, xmr_summary

__all__ = [
    "POLARITIES",
    "RULES",
    "STATUSES",
    "byar_ci",
    "chi_square_quantile",
    "chi_square_quantile_even",
    "compare_to_benchmark",
    "compare_to_benchmark_array",
    "exact_poisson_ci",
    "funnel",
    "poisson_ci",
    "poisson_ci_array",
    "poisson_control_limits",
    "rate_ci",
    "ratio_ci",
    "wilson_ci",
    "wilson_ci_array",
    "xmr",
    "xmr_many",
    "xmr_summary",
    "z_value",
]
