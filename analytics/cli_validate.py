"""`atalaya validate DIR`: check a prepared dataset and print every problem.

Usable on its own as `python -m analytics.cli_validate DIR`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from analytics.loader import build_dataset
from analytics.validation import read_and_validate

EXIT_VALID = 0
EXIT_INVALID = 2


def run_validate(path: Path | str) -> int:
    """Print each problem of the dataset at `path` on its own line, then a summary; 0 if valid, 2 if not."""
    path = Path(path)
    checked = read_and_validate(path)
    if checked.problems:
        for problem in checked.problems:
            print(problem)
        n = len(checked.problems)
        print(f"{n} problem{'s' if n != 1 else ''} in {path}")
        return EXIT_INVALID
    ds = build_dataset(path, checked)
    print(
        f"{path} is a valid prepared dataset: {len(ds.territories):,} territories, "
        f"{len(ds.indicators):,} indicators, {len(ds.observations):,} observations"
    )
    return EXIT_VALID


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: `python -m analytics.cli_validate DIR`."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m analytics.cli_validate DIR", file=sys.stderr)
        return EXIT_INVALID
    return run_validate(args[0])


if __name__ == "__main__":
    sys.exit(main())
