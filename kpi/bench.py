"""Timing of compute_all on a large city: cold (first call on new frames) and after a filter change."""

from __future__ import annotations

import json
import statistics
import time

from .engine import Filters, compute_all
from .prepare import clear_cache


def big_city(payments: int, solicitations: int, contracts: int):
    """The sample city's generator at the benchmark's size (vendors and evaluations scaled along)."""
    from sample_data.generate import generate_city

    sizes = {"payments": payments, "solicitations": solicitations, "contracts": contracts,
             "vendors": max(900, payments // 50), "evaluations": max(500, contracts // 2),
             "engagements": max(200, solicitations // 10)}
    return generate_city(7, sizes=sizes)


def _time(fn) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def run(tables, *, repeat: int = 3, as_of="2026-05-31") -> dict:
    """Medians (wall and CPU seconds) of: cold compute_all by quarter, the same again (warm), and filter
    changes (one department; one fiscal year; department and two years)."""
    depts = sorted(tables["solicitations"]["department"].dropna().unique())
    filters = {"department": Filters(departments=(depts[0],)), "fiscal_year": Filters(fiscal_years=(2025,)),
               "department_and_years": Filters(departments=(depts[-1],), fiscal_years=(2024, 2025))}
    out = {"rows": {k: len(v) for k, v in tables.items()}}
    samples: dict[str, list[tuple[float, float]]] = {}
    for _ in range(repeat):
        clear_cache()
        # New frame objects, as after an import: nothing cached can be reused.
        fresh = {k: v.copy(deep=False) for k, v in tables.items()}

        def run_all(f=None, fresh=fresh):
            return compute_all(fresh, grain="quarter", as_of=as_of, filters=f)

        samples.setdefault("cold", []).append(_time(run_all))
        samples.setdefault("warm", []).append(_time(run_all))
        for name, f in filters.items():
            samples.setdefault(f"filter_{name}", []).append(_time(lambda f=f: run_all(f)))
    for name, s in samples.items():
        out[name] = {"wall_s": round(statistics.median(x[0] for x in s), 3),
                     "cpu_s": round(statistics.median(x[1] for x in s), 3)}
    return out


def main(args) -> int:
    tables = big_city(args.payments, args.solicitations, args.contracts)
    result = run(tables, repeat=args.repeat)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("rows:", ", ".join(f"{k} {v:,}" for k, v in result.pop("rows").items()))
        for name, t in result.items():
            print(f"{name:28s} wall {t['wall_s']:.3f} s   cpu {t['cpu_s']:.3f} s")
    return 0
