"""The KPI engine's recorded results: what every KPI gave on the sample city and on Hand County.

tests/golden/*.csv.gz were recorded by the pandas engine (kpi/engine.py, since deleted): every KPI on both
data sets (every grain; every allowed breakdown; with and without filters; the drill-down of the latest
period). tests/test_engine_parity.py compares the SQL engine (kpi.sql, the only engine now) with these
files, so the recorded results outlive the engine that produced them.

The pandas engine is gone, so the record can no longer be re-made by an independent engine: re-recording
(`python tests/kpi_golden.py --rerecord`) writes what kpi.sql computes today, which makes the parity test
compare the engine with itself. Do it only after a deliberate review of every difference
(tests/test_engine_parity.py lists them), with the reason for each in the commit message.

Only compact figures are kept: per result row the period, group, value, p90, n, excluded and the
kind-specific numbers; per excluded reason its count; per drill-down the number of rows in each part and
the reasons' counts.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
for p in (str(ROOT), str(ROOT / "tests" / "acceptance")):
    if p not in sys.path:
        sys.path.insert(0, p)

SAMPLE_AS_OF = dt.date(2026, 5, 31)
COUNTY_AS_OF = dt.date(2026, 6, 30)
# The data sets: name -> (fiscal year start month, as-of date).
DATASETS = {"sample_city": (7, SAMPLE_AS_OF), "hand_county": (10, COUNTY_AS_OF)}
GRAINS = ("year", "quarter", "month")
VALUE_COLUMNS = ("value", "p90", "n", "excluded", "numerator", "denominator", "sd", "value_90", "value_365",
                 "sustained", "sustained_share", "engaged_n", "not_engaged_n", "engaged_mean_bids",
                 "not_engaged_mean_bids")


def sample_city_tables() -> dict[str, pd.DataFrame]:
    """The sample city's canonical tables, loaded through the loaders into a fresh workspace."""
    import sample_data
    from storage.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="golden-city-") as tmp:
        ws = Workspace(Path(tmp) / "ws")
        sample_data.ensure_sample(ws)
        return {k: v.copy() for k, v in ws.tables().items()}


def hand_county_tables() -> dict[str, pd.DataFrame]:
    """Hand County's canonical tables: its exports written and imported as the acceptance test does."""
    from test_hand_county import write_exports

    from loaders import import_file
    from storage.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="golden-county-") as tmp:
        files = write_exports(Path(tmp))
        ws = Workspace(Path(tmp) / "ws")
        for table in ("vendors", "solicitations", "bids", "contracts", "engagements", "evaluations", "payments"):
            import_file(files[table], ws, table=table)
        return {k: v.copy() for k, v in ws.tables().items()}


def load(name: str) -> dict[str, pd.DataFrame]:
    return {"sample_city": sample_city_tables, "hand_county": hand_county_tables}[name]()


def filter_sets(tables: dict[str, pd.DataFrame], fy_start_month: int, as_of: dt.date) -> dict[str, dict]:
    """Named filter settings (Filters keyword arguments) that every data set has something for."""
    sol = tables.get("solicitations")
    pay = tables.get("payments")
    depts = (sol["department"].dropna().value_counts().index.tolist() if sol is not None else [])
    fy = as_of.year + (1 if as_of.month >= fy_start_month and fy_start_month != 1 else 0)
    out = {
        "none": {},
        "dept": {"departments": (depts[0],)} if depts else {},
        "two_depts": {"departments": tuple(depts[:2])} if len(depts) > 1 else {},
        "fy": {"fiscal_years": (fy - 1,)},
        "method": {"methods": ("request for proposals", "invitation for bid")},
        "band": {"value_band": (100_000.0, None)},
        "dates": {"date_from": dt.date(as_of.year - 2, 1, 1), "date_to": dt.date(as_of.year - 1, 6, 30)},
    }
    if pay is not None and "vendor_name" in pay:
        vendors = pay["vendor_name"].dropna().value_counts().index.tolist()
        if vendors:
            out["vendor"] = {"vendors": (vendors[0],)}
    return {k: v for k, v in out.items() if v or k == "none"}


def cases(tables: dict[str, pd.DataFrame], fy_start_month: int, as_of: dt.date) -> Iterator[tuple[str, dict]]:
    """(case key, compute keyword arguments) for every recorded result."""
    from kpi.registry import KPIS

    fsets = filter_sets(tables, fy_start_month, as_of)
    for kpi_id, k in KPIS.items():
        for grain in GRAINS:
            yield f"{kpi_id}|{grain}|-|none", dict(kpi_id=kpi_id, grain=grain, by=None, filters="none")
        for by in k.breakdowns:
            yield f"{kpi_id}|quarter|{by}|none", dict(kpi_id=kpi_id, grain="quarter", by=by, filters="none")
        for fname in fsets:
            if fname != "none":
                yield f"{kpi_id}|year|-|{fname}", dict(kpi_id=kpi_id, grain="year", by=None, filters=fname)
        if k.breakdowns:
            yield f"{kpi_id}|year|{k.breakdowns[0]}|dept", dict(kpi_id=kpi_id, grain="year", by=k.breakdowns[0],
                                                                 filters="dept")


def record(dataset: str, tables: dict[str, pd.DataFrame], compute: Callable, drilldown: Callable,
           Filters) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(values, reasons, drilldowns) frames of one data set with one engine's compute/drilldown."""
    fy, as_of = DATASETS[dataset]
    fsets = filter_sets(tables, fy, as_of)
    values, reasons, drills = [], [], []
    for key, c in cases(tables, fy, as_of):
        filters = Filters(**fsets[c["filters"]])
        res = compute(c["kpi_id"], tables, filters=filters, grain=c["grain"], by=c["by"], fy_start_month=fy,
                      as_of=as_of)
        f = res.frame
        v = pd.DataFrame({"case": key, "period_label": f["period_label"].astype(str),
                          "group": f["group"].astype(str) if "group" in f else "",
                          "partial": f["partial"].astype(bool)})
        for col in VALUE_COLUMNS:
            v[col] = pd.to_numeric(f[col], errors="coerce").to_numpy(dtype=float) if col in f else float("nan")
        if res.missing:
            v = pd.DataFrame({"case": [key], "period_label": ["(missing)"], "group": ["; ".join(res.missing)],
                              "partial": [False]})
        values.append(v)
        r = res.excluded_reasons
        if len(r):
            reasons.append(pd.DataFrame({"case": key, "period_label": r["period_label"].astype(str),
                                         "group": r["group"].astype(str) if "group" in r else "",
                                         "reason": r["reason"].astype(str), "count": r["count"].astype(int)}))
        if c["grain"] == "quarter" and c["by"] is None and c["filters"] == "none":
            d = drilldown(c["kpi_id"], tables, filters=filters, grain="quarter", fy_start_month=fy, as_of=as_of)
            row = {"case": key, "period_label": str(d.period_label), "numerator": len(d.numerator),
                   "denominator": len(d.denominator), "excluded": len(d.excluded)}
            if len(d.excluded) and "reason" in d.excluded:
                row["reasons"] = "; ".join(f"{k}={v}" for k, v in
                                           sorted(d.excluded["reason"].astype(str).value_counts().items()))
            drills.append(row)
    empty = pd.DataFrame({c: pd.Series(dtype="int64" if c == "count" else "str")
                          for c in ("case", "period_label", "group", "reason", "count")})
    return (pd.concat(values, ignore_index=True), pd.concat([empty, *reasons], ignore_index=True),
            pd.DataFrame(drills))


def paths(dataset: str) -> dict[str, Path]:
    return {part: GOLDEN / f"{dataset}_{part}.csv.gz" for part in ("values", "reasons", "drilldowns")}


def read(dataset: str) -> dict[str, pd.DataFrame]:
    out = {}
    for part, path in paths(dataset).items():
        out[part] = pd.read_csv(path, keep_default_na=False, na_values=[""],
                                dtype={"period_label": str, "group": str, "reason": str, "case": str})
    return out


def main(argv: list[str] | None = None) -> int:
    import kpi

    if "--rerecord" not in (sys.argv[1:] if argv is None else argv):
        print("tests/golden holds the pandas engine's results (that engine is deleted); re-recording writes "
              "kpi.sql's own results in their place. Review every difference first (tests/test_engine_parity.py), "
              "then run: python tests/kpi_golden.py --rerecord", file=sys.stderr)
        return 2
    GOLDEN.mkdir(exist_ok=True)
    for dataset in DATASETS:
        tables = load(dataset)
        frames = record(dataset, tables, kpi.compute, kpi.drilldown, kpi.Filters)
        for (_part, path), frame in zip(paths(dataset).items(), frames, strict=True):
            frame.to_csv(path, index=False, float_format="%.10g", compression={"method": "gzip", "mtime": 0})
            print(f"{path.relative_to(ROOT)}: {len(frame):,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())


# ----------------------------------------------------------------------------- comparing an engine with the record

REL_TOL = 1e-9  # the record keeps 10 significant digits (float_format %.10g)


def _close(a, b) -> bool:
    import math

    if (a is None or (isinstance(a, float) and math.isnan(a))) and (b is None or (isinstance(b, float) and math.isnan(b))):
        return True
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        return False
    return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=1e-9)


def differences(dataset: str, recorded: dict[str, pd.DataFrame], got: tuple[pd.DataFrame, ...],
                only: set[str] | None = None) -> list[str]:
    """Every difference between a fresh recording and the stored one, one line each (empty: identical)."""
    out: list[str] = []
    values, reasons, drills = got
    old = recorded["values"]
    if only is not None:
        old = old[old["case"].str.split("|").str[0].isin(only)]
        values = values[values["case"].str.split("|").str[0].isin(only)]
    key = ["case", "period_label", "group"]
    old = old.fillna({"group": ""})
    values = values.fillna({"group": ""})
    m = old.merge(values, on=key, how="outer", suffixes=("_old", "_new"), indicator=True)
    for row in m[m["_merge"] != "both"].itertuples():
        out.append(f"{dataset} {row.case} {row.period_label} {row.group!r}: only in "
                   f"{'record' if row[-1] == 'left_only' else 'new engine'}")
    both = m[m["_merge"] == "both"]
    for col in VALUE_COLUMNS + ("partial",):
        a, b = both[f"{col}_old"].to_numpy(), both[f"{col}_new"].to_numpy()
        for i in range(len(both)):
            if not _close(a[i], b[i]):
                r = both.iloc[i]
                out.append(f"{dataset} {r['case']} {r['period_label']} {r['group']!r} {col}: {a[i]!r} -> {b[i]!r}")
    oldr = recorded["reasons"]
    if only is not None:
        oldr = oldr[oldr["case"].str.split("|").str[0].isin(only)]
        reasons = reasons[reasons["case"].str.split("|").str[0].isin(only)]
    rk = ["case", "period_label", "group", "reason"]
    mr = oldr.fillna({"group": ""}).merge(reasons.fillna({"group": ""}), on=rk, how="outer",
                                          suffixes=("_old", "_new"))
    bad = mr[mr["count_old"].fillna(-1) != mr["count_new"].fillna(-1)]
    for row in bad.itertuples():
        out.append(f"{dataset} {row.case} reasons {row.period_label} {row.group!r} {row.reason!r}: "
                   f"{row.count_old} -> {row.count_new}")
    oldd = recorded["drilldowns"]
    if only is not None:
        oldd = oldd[oldd["case"].str.split("|").str[0].isin(only)]
        drills = drills[drills["case"].str.split("|").str[0].isin(only)]
    md = oldd.merge(drills, on="case", how="outer", suffixes=("_old", "_new"))
    for col in ("period_label", "numerator", "denominator", "excluded", "reasons"):
        if f"{col}_old" not in md:
            continue
        for row in md.itertuples():
            a, b = getattr(row, f"{col}_old"), getattr(row, f"{col}_new")
            if not (a == b or (pd.isna(a) and pd.isna(b))):
                out.append(f"{dataset} {row.case} drill-down {col}: {a!r} -> {b!r}")
    return out
