"""Test-code compatibility for lifetimes 0.11.3's suite on pandas 2 and 3: the suite imports
`pandas.util.testing` and calls `DataFrame.append` (both removed in pandas 2.0), and turns a
one-row Series into a float (removed in pandas 3.0). They are put back here, for the tests'
own use; crm.lifetimes never uses them."""

import sys
import types

import pandas as pd
import pandas.testing

if "pandas.util.testing" not in sys.modules:
    shim = types.ModuleType("pandas.util.testing")
    shim.assert_frame_equal = pandas.testing.assert_frame_equal
    shim.assert_series_equal = pandas.testing.assert_series_equal
    sys.modules["pandas.util.testing"] = shim

if not hasattr(pd.DataFrame, "append"):

    def _append(self, other, ignore_index=False):
        return pd.concat([self, other], ignore_index=ignore_index)

    pd.DataFrame.append = _append

try:
    float(pd.Series([1.0]))
except TypeError:

    def _float(self):
        if len(self) != 1:
            raise TypeError("only a one-element Series converts to float")
        return float(self.iloc[0])

    pd.Series.__float__ = _float
