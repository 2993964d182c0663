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

    def terminal(self) -> str:
        lines = []
        for s, t in self.steps:
            lines.append(f"  {s}: {t}")
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
