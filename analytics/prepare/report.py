"""The preparation report: every step's row counts, every problem found, every row left out.

The report is printed to the terminal (a summary) and written as Markdown to
`<out>/prepare_report/report.md`; rows left out are listed one per line in
`<out>/prepare_report/dropped_rows.csv` (file, row, reason, detail), so nothing is dropped unlisted.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

SEVERITIES = ("error", "warning", "info")
MAX_LISTED = 25  # items shown per finding in the Markdown (all of them are in the CSV files)

# The checks every report lists, found or not (key -> label), in the order of the report's table.
CHECKS: dict[str, str] = {
    "no_boundary": "codes in the data with no boundary",
    "no_name_match": "names that match no territory",
    "ambiguous": "ambiguous names (never guessed)",
    "no_data": "boundaries with no data at all (per indicator)",
    "dup_exact": "exact duplicate rows",
    "dup_conflict": "rows with the same identity but different values",
    "dup_tables": "the same key from two tables",
    "not_numeric": "cells that are not numbers",
    "negative": "negative counts",
    "not_whole": "counts that are not whole numbers",
    "rate_high": "yearly rates above the plausible bound",
    "gaps": "gaps in time series (territory-periods with no value)",
    "unpublished": "periods with no value in any territory",
    "all_zero": "indicators whose values are all 0",
    "kept_apart": "rows kept apart (not a territory: XX999, 'no especificado')",
    "pop_no_boundary": "population codes with no boundary",
    "pop_not_numeric": "population cells that are not numbers",
    "pop_negative": "negative populations",
}


@dataclass
class Finding:
    """One problem (or notable fact) with the items it concerns."""

    severity: str  # error | warning | info
    step: str  # e.g. "boundaries admin2", "table sesnsp.csv"
    title: str  # e.g. "codes with no boundary"
    items: list[str] = field(default_factory=list)
    count: int | None = None  # when items is a sample of a larger set

    @property
    def n(self) -> int:
        return self.count if self.count is not None else len(self.items)


@dataclass
class DroppedRow:
    file: str
    row: int  # 1-based data row (header is row 0); 0 when not a row of an input file
    reason: str
    detail: str


@dataclass
class Report:
    """Accumulates steps (rows in/out), findings and dropped rows during a preparation."""

    steps: list[tuple[str, str]] = field(default_factory=list)  # (step, what happened)
    findings: list[Finding] = field(default_factory=list)
    dropped: list[DroppedRow] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value): encodings, sizes, timings
    checks: list[tuple[str, str, int | None, str]] = field(default_factory=list)  # (key, scope, n, note)
    tallies: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # file -> (kind, rows read, rows used)

    def check(self, key: str, scope: str, n: int | None, note: str = "") -> None:
        """Record that check `key` (a key of CHECKS) ran on `scope` and found `n` cases (0 included:
        the report says a check found nothing, not only what it found). n=None: it could not run
        (`note` says why)."""
        if key not in CHECKS:
            raise ValueError(key)
        self.checks.append((key, scope, None if n is None else int(n), note))

    def tally(self, file: str, kind: str, read: int, used: int) -> None:
        """Rows of an input file: read, and used (reached the output). The rest must be listed as
        dropped rows; the report checks that they add up."""
        self.tallies[file] = (kind, int(read), int(used))

    def dropped_by_file(self) -> dict[str, int]:
        """Distinct dropped rows per file (a row is counted once whatever the number of reasons)."""
        seen: dict[str, set[int]] = {}
        for d in self.dropped:
            seen.setdefault(d.file, set()).add(d.row)
        return {f: len(rows) for f, rows in seen.items()}

    def unaccounted(self) -> list[str]:
        """Files whose rows read ≠ rows used + rows listed as left out (should never happen: it would
        mean rows lost without being listed)."""
        left = self.dropped_by_file()
        return [f"{f}: {read:,} read, {used:,} used, {left.get(f, 0):,} listed as left out"
                for f, (_, read, used) in self.tallies.items() if read != used + left.get(f, 0)]

    def step(self, step: str, text: str) -> None:
        self.steps.append((step, text))

    def fact(self, label: str, value: str) -> None:
        self.facts.append((label, value))

    def add(self, severity: str, step: str, title: str, items: Iterable[str] = (), count: int | None = None) -> Finding:
        if severity not in SEVERITIES:
            raise ValueError(severity)
        f = Finding(severity, step, title, [str(i) for i in items], count)
        self.findings.append(f)
        return f

    def drop(self, file: str, rows: Iterable[int], reason: str, details: Iterable[str] | None = None) -> int:
        """List rows left out (row numbers 1-based); returns how many."""
        rows = list(rows)
        det = list(details) if details is not None else [""] * len(rows)
        for r, d in zip(rows, det):
            self.dropped.append(DroppedRow(file, int(r), reason, d))
        return len(rows)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    # ---- output -----------------------------------------------------------------------------------
    def markdown(self, title: str = "Preparation report") -> str:
        out = [f"# {title}", ""]
        n_err = len(self.errors)
        n_warn = sum(f.severity == "warning" for f in self.findings)
        verdict = "FAILED" if n_err else "PASSED"
        out += [f"**Result: {verdict}** — {n_err} error(s), {n_warn} warning(s), "
                f"{len(self.dropped)} row(s) left out (listed in `dropped_rows.csv`).", ""]
        out += self.checks_markdown()
        out += self.rows_markdown()
        if self.facts:
            out += ["## Inputs and outputs", "", "| | |", "|---|---|"]
            out += [f"| {k} | {_md(v)} |" for k, v in self.facts]
            out.append("")
        out += ["## Steps (rows in and out)", ""]
        out += [f"- **{s}**: {_md(t)}" for s, t in self.steps]
        out.append("")
        for sev in SEVERITIES:
            fs = [f for f in self.findings if f.severity == sev]
            if not fs:
                continue
            out += [f"## {dict(error='Errors', warning='Warnings', info='Notes')[sev]} ({len(fs)})", ""]
            for f in fs:
                out.append(f"### {f.step}: {f.title}" + (f" ({f.n})" if f.n else ""))
                out.append("")
                for item in f.items[:MAX_LISTED]:
                    out.append(f"- {_md(item)}")
                if f.n > min(len(f.items), MAX_LISTED):
                    out.append(f"- … and {f.n - min(len(f.items), MAX_LISTED)} more (see the CSV files next to this report)")
                out.append("")
        if self.dropped:
            out += ["## Rows left out, by reason", "", "| file | reason | rows |", "|---|---|---|"]
            counts: dict[tuple[str, str], int] = {}
            for d in self.dropped:
                counts[(d.file, d.reason)] = counts.get((d.file, d.reason), 0) + 1
            out += [f"| {_md(f)} | {_md(r)} | {n} |" for (f, r), n in counts.items()]
            out.append("")
        return "\n".join(out)

    def check_rows(self) -> list[tuple[str, str, str]]:
        """(label, total found, where) for every check of CHECKS, in order; 'not run' when no input
        it applies to was given (e.g. no table matched by name)."""
        rows = []
        for key, label in CHECKS.items():
            recs = [c for c in self.checks if c[0] == key]
            if not recs:
                rows.append((label, "not run", "no input it applies to"))
                continue
            ran = [c for c in recs if c[2] is not None]
            total = sum(c[2] for c in ran) if ran else None
            hits = [f"{c[1]}: {c[2]:,}" for c in ran if c[2]] + [f"{c[1]}: not checked ({c[3]})" for c in recs if c[2] is None]
            where = "; ".join(hits[:6]) + (f"; … {len(hits) - 6} more" if len(hits) > 6 else "")
            if not hits:
                scopes = sorted({c[1] for c in recs})
                where = "none in " + ", ".join(scopes[:4]) + (f" and {len(scopes) - 4} more" if len(scopes) > 4 else "")
            rows.append((label, "—" if total is None else f"{total:,}", where))
        return rows

    def checks_markdown(self) -> list[str]:
        out = ["## Checks", "", "Every check, also those that found nothing; the details of each finding are below.", "",
               "| check | found | where |", "|---|---:|---|"]
        out += [f"| {_md(a)} | {_md(b)} | {_md(c)} |" for a, b, c in self.check_rows()]
        out.append("")
        return out

    def rows_markdown(self) -> list[str]:
        if not self.tallies:
            return []
        left = self.dropped_by_file()
        out = ["## Rows: where they went", "",
               "| file | kind | rows read | used | left out (each listed in `dropped_rows.csv`) |",
               "|---|---|---:|---:|---:|"]
        for f, (kind, read, used) in self.tallies.items():
            out.append(f"| {_md(f)} | {kind} | {read:,} | {used:,} | {left.get(f, 0):,} |")
        bad = self.unaccounted()
        out += [""] + ([f"**Rows not accounted for:** {_md('; '.join(bad))}"] if bad else
                       ["Every row read is either used or listed as left out (rows read = used + left out)."])
        out.append("")
        return out

    def terminal(self) -> str:
        lines = []
        for s, t in self.steps:
            lines.append(f"  {s}: {t}")
        left = self.dropped_by_file()
        for f, (kind, read, used) in self.tallies.items():
            lines.append(f"  rows {f}: {read:,} read = {used:,} used + {left.get(f, 0):,} left out (listed)")
        for label, found, where in self.check_rows():
            if found != "not run":
                lines.append(f"  CHECK {label}: {found}" + (f" ({where})" if found not in ("0", "—") else ""))
        for f in self.findings:
            head = f"  {'NOTE' if f.severity == 'info' else f.severity.upper()} {f.step}: {f.title}" + (f" ({f.n})" if f.n else "")
            sample = ", ".join(f.items[:5])
            lines.append(head + (f": {sample}" + (" …" if f.n > 5 else "") if sample else ""))
        n_err = len(self.errors)
        lines.append(f"  {'FAILED' if n_err else 'PASSED'}: {n_err} error(s), "
                     f"{sum(f.severity == 'warning' for f in self.findings)} warning(s), "
                     f"{len(self.dropped)} row(s) left out")
        return "\n".join(lines)

    def write(self, folder: Path, title: str = "Preparation report") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        md = folder / "report.md"
        md.write_text(self.markdown(title), encoding="utf-8")
        with open(folder / "dropped_rows.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["file", "row", "reason", "detail"])
            for d in self.dropped:
                w.writerow([d.file, d.row, d.reason, d.detail])
        with open(folder / "findings.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["severity", "step", "finding", "item"])
            for f in self.findings:
                for item in f.items or [""]:
                    w.writerow([f.severity, f.step, f.title, item])
        return md


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
