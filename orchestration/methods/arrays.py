"""Columns as numpy arrays for the array forms of the methods."""

import numpy as np
import pandas as pd


def as_floats(column) -> np.ndarray:
    """Numbers as float64 with NaN for missing (None, NaN, pandas NA); text raises."""
    numbers = pd.to_numeric(pd.Series(column), errors="raise").astype("Float64")
    return numbers.to_numpy(dtype="float64", na_value=np.nan)
