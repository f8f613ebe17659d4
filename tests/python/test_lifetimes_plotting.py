"""crm.lifetimes.plotting: lifetimes' plots with its titles and labels, the numbers drawn
checked against the real lifetimes 0.11.3 / scipy on its pinned stack (computed in its own
virtualenv and written here)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import crm.lifetimes as lt  # noqa: E402
from crm.lifetimes import plotting, utils  # noqa: E402
from crm.lifetimes.datasets import load_cdnow_summary, load_transaction_data  # noqa: E402


@pytest.fixture(scope="module")
def bgf():
    cd = load_cdnow_summary()
    return lt.BetaGeoFitter().fit(cd["frequency"], cd["recency"], cd["T"])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_period_transactions_are_the_models_expected_counts(bgf):
    ax = plotting.plot_period_transactions(bgf)
    heights = [p.get_height() for p in ax.patches]
    assert heights[:7] == [1411, 439, 214, 100, 62, 38, 29]
    # The model's bars: sum over the customers of P(k repeat purchases by their T).
    ages = bgf.data["T"].to_numpy()
    want = [sum(bgf.probability_of_n_purchases_up_to_time(ages, k)) for k in range(7)]
    np.testing.assert_allclose(heights[7:], want, rtol=1e-9)
    # ...which is what lifetimes' simulation scatters around: its mean over 40 simulations,
    # within four standard errors of that mean.
    sim_mean = np.array([1410.9, 471.4, 194.2, 103.8, 58.1, 36.9, 24.4])
    sim_sd = np.array([26.5, 21.6, 12.6, 9.1, 5.0, 7.0, 3.8])
    assert np.all(np.abs(np.array(heights[7:]) - sim_mean) < 4 * sim_sd / np.sqrt(40))
    assert ax.get_title() == "Frequency of Repeat Transactions"
    assert ax.get_xlabel() == "Number of Calibration Period Transactions" and ax.get_ylabel() == "Customers"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Actual", "Model"]
    ax = plotting.plot_period_transactions(bgf, max_frequency=12, label=["A", "B"])
    assert len(ax.patches) == 24 and [t.get_text() for t in ax.get_legend().get_texts()] == ["A", "B"]


def test_period_transactions_of_bgbb_are_its_table():
    from crm.lifetimes.datasets import load_donations

    d = load_donations()
    bb = lt.BetaGeoBetaBinomFitter().fit(d["frequency"], d["recency"], d["periods"], d["weights"])
    ax = plotting.plot_period_transactions(bb)
    heights = [p.get_height() for p in ax.patches]
    assert heights[:7] == [3464, 1823, 1430, 1085, 1036, 1063, 1203]
    # lifetimes' expected_number_of_transactions_in_first_n_periods(6) (Hardie's sheet).
    want = [3454.882, 1888.654, 1348.882, 1113.379, 1017.922, 1027.166, 1253.114]
    np.testing.assert_allclose(heights[7:], want, rtol=1e-6)


def test_period_transactions_simulate_other_models():
    cd = load_cdnow_summary()
    pnbd = lt.ParetoNBDFitter().fit(cd["frequency"], cd["recency"], cd["T"])
    np.random.seed(1)
    ax = plotting.plot_period_transactions(pnbd)
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 14 and abs(heights[7] - 1411) < 100


def test_frequency_recency_and_alive_matrices(bgf):
    ax = plotting.plot_frequency_recency_matrix(bgf, T=2, max_frequency=10, max_recency=38)
    z = ax.get_images()[0].get_array()
    assert z.shape == (39, 11)
    want = [[0.0113581, 0.000546515, 5.8915913e-10], [0.0113581, 0.0727997, 0.0227805], [0.0113581, 0.128052, 0.444634]]
    np.testing.assert_allclose(z[np.ix_([0, 20, 38], [0, 3, 10])], want, rtol=1e-4)
    assert (
        ax.get_title()
        == "Expected Number of Future Purchases for 2 Units of Time,\nby Frequency and Recency of a Customer"
    )
    assert ax.get_xlabel() == "Customer's Historical Frequency" and ax.get_ylabel() == "Customer's Recency"
    plt.close("all")
    ax = plotting.plot_probability_alive_matrix(bgf, max_frequency=10, max_recency=38)
    z = ax.get_images()[0].get_array()
    want = [[1.0, 0.00361948, 1.23906e-09], [1.0, 0.482141, 0.0479096], [1.0, 0.848067, 0.935108]]
    np.testing.assert_allclose(z[np.ix_([0, 20, 38], [0, 3, 10])], want, rtol=1e-4)
    assert ax.get_title() == "Probability Customer is Alive,\nby Frequency and Recency of a Customer"


def test_expected_repeat_purchases(bgf):
    ax = plotting.plot_expected_repeat_purchases(bgf, label="BG/NBD")
    solid, dashed = ax.get_lines()
    x, y = solid.get_data()
    assert len(x) == 100 and x[0] == 0 and x[-1] == pytest.approx(38.86)
    np.testing.assert_allclose(y[[0, -1]], [0.0, 1.1921249], atol=1e-6)
    x, y = dashed.get_data()
    np.testing.assert_allclose(y[-1], 1.5529001, rtol=1e-6)
    assert dashed.get_linestyle() == "--" and dashed.get_color() == solid.get_color()
    assert ax.get_legend().get_texts()[0].get_text() == "BG/NBD"
    assert ax.get_title() == "Expected Number of Repeat Purchases per Customer"


def test_heterogeneity(bgf):
    ax = plotting.plot_transaction_rate_heterogeneity(bgf)
    x, y = ax.get_lines()[0].get_data()
    # scipy: gamma(r, scale=1/alpha).ppf(0.99) and pdf.
    assert x[-1] == pytest.approx(0.54411457, rel=1e-6)
    assert y[0] == np.inf
    # lifetimes' own figures for the same grid (scipy's gamma pdf).
    np.testing.assert_allclose(y[1:6], [19.25, 11.11, 7.98, 6.26, 5.16], atol=0.01)
    assert plt.gcf()._suptitle.get_text() == "Heterogeneity in Transaction Rate"
    assert ax.get_title() == "mean: 0.055, var: 0.012"
    plt.close("all")
    ax = plotting.plot_dropout_rate_heterogeneity(bgf)
    x, y = ax.get_lines()[0].get_data()
    assert x[-1] == pytest.approx(0.82711837, rel=1e-6)
    np.testing.assert_allclose(y[1:5], [4.44, 3.80, 3.45, 3.21], atol=0.01)
    assert plt.gcf()._suptitle.get_text() == "Heterogeneity in Dropout Probability"
    assert ax.get_xlabel() == "Dropout Probability p" and ax.get_ylabel() == "Density"


def test_quantiles_against_scipy():
    # The 99% quantiles the heterogeneity plots end at, against scipy's ppf.
    assert plotting._quantile(lambda v: plotting._gamma_cdf(40.0, v * 2.0), 0.99, 80.0) == pytest.approx(
        28.08219813, rel=1e-8
    )
    assert plotting._quantile(lambda v: plotting._beta_cdf(5.0, 0.5, v), 0.99, 0.5) == pytest.approx(
        0.99998349, rel=1e-7
    )


def test_calibration_vs_holdout():
    ex = load_transaction_data()
    summary = utils.calibration_and_holdout_data(ex, "id", "date", "2014-09-01", "2014-12-31")
    bg = lt.BetaGeoFitter().fit(summary["frequency_cal"], summary["recency_cal"], summary["T_cal"])
    ax = plotting.plot_calibration_purchases_vs_holdout_purchases(bg, summary)
    holdout, model = ax.get_lines()
    np.testing.assert_allclose(holdout.get_xdata(), range(7))
    np.testing.assert_allclose(
        holdout.get_ydata(), [0.161079, 0.233171, 0.347826, 0.543796, 0.710059, 0.704348, 1.606061], rtol=1e-5
    )
    np.testing.assert_allclose(
        model.get_ydata(), [0.269892, 0.293862, 0.401600, 0.422267, 0.705816, 0.809352, 1.018576], rtol=1e-4
    )
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["frequency_holdout", "model_predictions"]
    plt.close("all")
    ax = plotting.plot_calibration_purchases_vs_holdout_purchases(bg, summary, kind="time_since_last_purchase")
    holdout, model = ax.get_lines()
    np.testing.assert_allclose(
        holdout.get_ydata(), [3.953846, 3.431373, 3.482143, 3.483871, 2.75, 2.288889, 1.967742], rtol=1e-5
    )
    np.testing.assert_allclose(
        model.get_ydata(), [4.345291, 2.993400, 3.235528, 2.677435, 2.240059, 2.607584, 2.430455], rtol=1e-4
    )
    assert ax.get_xlabel() == "Time since user made last purchase"
    with pytest.raises(ValueError, match="kind"):
        plotting.plot_calibration_purchases_vs_holdout_purchases(bg, summary, kind="nope")


def test_history_and_tracking_plots():
    ex = load_transaction_data(parse_dates=["date"])
    s = utils.summary_data_from_transaction_data(ex, "id", "date", observation_period_end=max(ex.date))
    bg = lt.BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    one = ex[ex["id"] == 33]
    ax = plotting.plot_history_alive(bg, 205, one, "date")
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), utils.calculate_alive_path(bg, one, "date", 205))
    assert ax.get_title() == "History of P_alive" and ax.get_ylim() == (0.0, 1.0)
    plt.close("all")
    ax = plotting.plot_cumulative_transactions(bg, ex, "date", "id", 200, 120)
    cum = utils.expected_cumulative_transactions(bg, ex, "date", "id", 200)
    actual, predicted = ax.get_lines()[:2]
    np.testing.assert_allclose(actual.get_ydata(), cum["actual"])
    np.testing.assert_allclose(predicted.get_ydata(), cum["predicted"])
    assert ax.get_lines()[2].get_xdata()[0] == 120 and ax.get_title() == "Tracking Cumulative Transactions"
    plt.close("all")
    ax = plotting.plot_incremental_transactions(bg, ex, "date", "id", 200, 120, set_index_date=True)
    actual = ax.get_lines()[0]
    np.testing.assert_allclose(actual.get_ydata()[1:], np.diff(cum["actual"].to_numpy()))
    assert ax.get_xlabel() == "date" and ax.get_title() == "Tracking Daily Transactions"
    assert isinstance(cum.index, pd.RangeIndex)
