"""Run the benchmarks: ``python -m benchmarks.run [NAME ...] [--quick]``.

Each ``benchmarks/bench_*.py`` module has ``run(quick: bool) -> list[dict]`` returning results
``{"name", "value", "unit", "baseline", "ratio"}`` (optional: ``"baseline_name"``, ``"target"``,
``"passed"``, ``"note"``). The baseline is measured in the same run. Results are printed and
merged by name into ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
LATEST = HERE / "results" / "latest.json"


def discover() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))


def merge(results: list[dict]) -> list[dict]:
    """Keep earlier results of other benchmarks, replace those measured now."""
    previous = json.loads(LATEST.read_text()) if LATEST.exists() else []
    fresh = {r["name"] for r in results}
    return [r for r in previous if r["name"] not in fresh] + results


def show(results: list[dict], console: Console) -> None:
    table = Table(title="kodeverk benchmarks")
    for column in ("name", "value", "unit", "baseline", "ratio", "target", "passed"):
        table.add_column(column, justify="right" if column != "name" else "left")
    for r in results:
        table.add_row(
            r["name"],
            _fmt(r["value"]),
            r["unit"],
            _fmt(r.get("baseline")),
            _fmt(r.get("ratio")),
            str(r.get("target", "")),
            str(r.get("passed", "")),
        )
    console.print(table)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    return "" if value is None else str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmark modules (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    args = parser.parse_args(argv)
    console = Console()
    results: list[dict] = []
    for name in args.names or discover():
        name = name if name.startswith("bench_") else f"bench_{name}"
        console.rule(name)
        module = importlib.import_module(f"benchmarks.{name}")
        found = module.run(quick=args.quick)
        show(found, console)
        results.extend(found)
    if not args.quick:
        LATEST.parent.mkdir(exist_ok=True)
        LATEST.write_text(json.dumps(merge(results), indent=2, ensure_ascii=False) + "\n")
        console.print(f"written to {LATEST.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
