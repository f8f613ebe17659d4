"""The engine's worker threads: kept between calls, shared by Python threads, and started
again in a forked child (a fork copies no threads, so the parent's would never answer)."""

import os
import pickle
import select
import signal
import threading

import numpy as np
import pandas as pd
import pytest

import crm
import crm.lifetimes as lifetimes
import crm.lifetimes.utils as utils


@pytest.fixture(scope="module")
def transactions():
    # 20,000 customers: the summary's pass and the BG/NBD fit both use two threads.
    sample = crm.sample(20_000, seed=3, prospect_share=0.0, profiles=False, interactions=False)
    t = sample.transactions
    frame = pd.DataFrame(
        {
            "id": np.asarray(t["customer_id"]),
            "date": np.asarray(t["date"]).astype("datetime64[D]").astype("datetime64[ns]"),
            "amount": np.asarray(t["amount"], dtype=float),
        }
    ).sort_values("date", kind="stable")
    return frame, str(sample.end)


def _results(frame, end):
    summary = utils.summary_data_from_transaction_data(frame, "id", "date", "amount", observation_period_end=end)
    fitter = lifetimes.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    return summary.to_numpy().tobytes(), fitter.params_.to_numpy().tobytes()


def test_python_threads_at_once_get_the_results_of_one_at_a_time(transactions):
    frame, end = transactions
    expected = _results(frame, end)
    got = [None] * 4

    def run(k):
        got[k] = _results(frame, end)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert got == [expected] * 4


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_computes_as_its_parent(transactions):
    frame, end = transactions
    expected = _results(frame, end)  # the parent's threads are running now
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, report, exit without pytest's cleanup
        code = 0
        try:
            os.write(write, pickle.dumps(_results(frame, end)))
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([read], [], [], 60)
            assert ready, "the forked child hung (the parent's thread pool copied without its threads?)"
            chunk = os.read(read, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read)
        if not chunks:
            os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    assert pickle.loads(b"".join(chunks)) == expected
