"""What a statistician writes in an afternoon: D and H (Theil's information theory index) for every --by set of a
two-group count table, with pandas and numpy. `npm run bench` times it beside `segfollow indices` on the same panel.

    python3 bench/indices_pandas.py PANEL.csv OUT.csv
"""
import sys

import numpy as np
import pandas as pd


def entropy(p):
    p = np.clip(p, 1e-300, 1.0)
    q = np.clip(1.0 - p, 1e-300, 1.0)
    return -(p * np.log(p) + q * np.log(q))


def main(src, out):
    df = pd.read_csv(src, dtype={"kommun": str})
    df["t"] = df["foreign"] + df["swedish"]
    g = df.groupby(["kommun", "year"], sort=True)
    X = g["foreign"].transform("sum")
    Y = g["swedish"].transform("sum")
    T = X + Y
    df["d"] = (df["foreign"] / X - df["swedish"] / Y).abs()
    p_i = df["foreign"] / df["t"].where(df["t"] > 0)
    E = entropy(X / T)
    df["h"] = df["t"] * (E - entropy(p_i.fillna(0))) / (T * E)
    res = g.agg(D=("d", "sum"), H=("h", "sum"))
    res["D"] = res["D"] / 2
    res.reset_index().to_csv(out, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
