"""Run the benchmarks: ``python -m benchmarks.run [NAME ...] [--quick]``.

Each ``benchmarks/bench_*.py`` module has ``run(quick: bool) -> list[dict]`` returning results
``{"name", "value", "unit", "baseline", "ratio"}`` (optional: ``"baseline_name"``, ``"target"``,
``"passed"``, ``"note"``). The baseline is measured in the same run. Results are printed and
written to ``benchmarks/results/latest.json``: a full run (``make bench``) replaces the file,
so every figure in it comes from one run; a run of named modules replaces only their results.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path

from rich.console import Console
from rich.text import Text

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
    """Two lines per result (readable at 80 columns): the name, then the figures."""
    for r in results:
        mark = {True: "[green]✓[/green]", False: "[red]✗[/red]"}.get(r.get("passed"), "·")
        console.print(f"{mark} [bold]{r['name']}[/bold]", highlight=False)
        figures = f"{_fmt(r['value'])} {r['unit']}"
        if r.get("baseline") is not None:
            against = f" ({r['baseline_name']})" if r.get("baseline_name") else ""
            figures += f"   baseline {_fmt(r['baseline'])} {r['unit']}{against}"
            figures += f"   ratio {_fmt(r.get('ratio'))}"
        if r.get("target"):
            figures += f"   target {r['target']}"
        console.print(Text("    " + figures, style="dim" if r.get("passed") else ""))


def summarise(results: list[dict], console: Console) -> None:
    with_target = [r for r in results if r.get("passed") is not None]
    missed = [r["name"] for r in with_target if not r["passed"]]
    style = "red" if missed else "green"
    console.rule(f"[{style}]{len(with_target) - len(missed)} of {len(with_target)} targets met")
    for name in missed:
        console.print(f"[red]missed:[/red] {name}", highlight=False)


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
    summarise(results, console)
    if not args.quick:
        LATEST.parent.mkdir(exist_ok=True)
        kept = merge(results) if args.names else results
        LATEST.write_text(json.dumps(kept, indent=2, ensure_ascii=False) + "\n")
        console.print(f"written to {LATEST.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
