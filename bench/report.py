"""bench/RESULTS.md from the figures bench_cases.py measured (targets, tables, the analysis
block kept across runs)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

TARGETS = {
    "list_median_ms": 15.0,
    "list_p95_ms": 30.0,
    "transitions_per_s": 500.0,  # one process (the architecture issue)
    "generate_seconds": 600.0,
}
ANALYSIS_START = "<!-- analysis:start (kept when the bench rewrites this file) -->"
ANALYSIS_END = "<!-- analysis:end -->"
# The cycle each bench case is taken through.
CYCLE = ["open", "mark_pending", "resume"]


def generation_figure(log_path: Path) -> dict:
    if not log_path.exists():
        return {}
    text = log_path.read_text()
    done = re.search(r"Generated ([\d,]+) cases in ([\d.]+) s", text)
    if not done:
        return {}
    return {
        "cases": int(done.group(1).replace(",", "")),
        "seconds": float(done.group(2)),
        "when": datetime.fromtimestamp(log_path.stat().st_mtime).strftime("%Y-%m-%d %H:%M"),
        "line": done.group(0),
    }


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")


def write_results(path: Path, r: dict) -> None:
    old = path.read_text() if path.exists() else ""
    analysis = ""
    if ANALYSIS_START in old and ANALYSIS_END in old:
        analysis = old[old.index(ANALYSIS_START) : old.index(ANALYSIS_END) + len(ANALYSIS_END)]
    else:
        analysis = f"{ANALYSIS_START}\n_No analysis written yet._\n{ANALYSIS_END}"
    m = r["machine"]
    d = r["dataset"]
    gen = r.get("generation", {})
    http_ = r.get("http")
    inproc = r.get("in_process")
    tr = r.get("transitions")
    load1, load5, load15 = m["load_at_start"]
    gen_ok = None
    if gen:
        gen_ok = gen["seconds"] < TARGETS["generate_seconds"] and gen["cases"] >= 1_000_000
    rows = []
    if http_:
        rows.append(
            (
                "Case list p.1, HTTP (gunicorn 2 sync workers), median",
                f"{http_['median_ms']:.1f} ms",
                f"<= {TARGETS['list_median_ms']:.0f} ms",
                verdict(http_["median_ms"] <= TARGETS["list_median_ms"]),
            )
        )
        rows.append(
            (
                "Case list p.1, HTTP, p95",
                f"{http_['p95_ms']:.1f} ms",
                f"<= {TARGETS['list_p95_ms']:.0f} ms",
                verdict(http_["p95_ms"] <= TARGETS["list_p95_ms"]),
            )
        )
    if inproc:
        rows.append(
            (
                "Case list p.1, in-process test Client, median / p95",
                f"{inproc['median_ms']:.1f} / {inproc['p95_ms']:.1f} ms",
                "(same targets)",
                verdict(
                    inproc["median_ms"] <= TARGETS["list_median_ms"]
                    and inproc["p95_ms"] <= TARGETS["list_p95_ms"]
                ),
            )
        )
    if tr:
        rows.append(
            (
                "Transitions through services.transition_case, 1 process",
                f"{tr['per_second']:,.0f} /s ({tr['ms_each']:.2f} ms each)",
                f">= {TARGETS['transitions_per_s']:,.0f} /s",
                verdict(tr["per_second"] >= TARGETS["transitions_per_s"]),
            )
        )
    par = r.get("parallel_transitions")
    if par:
        rows.append(
            (
                f"Transitions through services.transition_case, {par['processes']} processes",
                f"{par['per_second']:,.0f} /s",
                f">= {TARGETS['transitions_per_s']:,.0f} /s",
                verdict(par["per_second"] >= TARGETS["transitions_per_s"]),
            )
        )
    if gen:
        rows.append(
            (
                f"generate_load --cases {gen['cases']:,} (run {gen['when']})",
                f"{gen['seconds']:.1f} s",
                "< 600 s for 1,000,000",
                verdict(gen_ok),
            )
        )
    out = [
        "# Benchmarks",
        "",
        f"Run: {r['when']} (written by `bench/bench_cases.py`; rerun with `make bench`).",
        "",
        f"- Command: `{r['command']}`",
        f"- Machine: {m['cores']} cores ({m['cpu']}), {m['mem_gb']} GB RAM; Python "
        f"{m['python']}; PostgreSQL {m['postgres']} (shared_buffers {m['shared_buffers']}, "
        f"synchronous_commit {m['synchronous_commit']}), server defaults otherwise.",
        f"- Load average when the run started: {load1:.2f} / {load5:.2f} / {load15:.2f}. "
        "The machine is shared with other engineers' test runs and servers while this runs, "
        "so the figures are noisy: compare runs, not single numbers.",
        f"- Data: {d['cases']:,} cases in `cases_case` ({d['table_size']} with indexes); "
        f"the list filter matches {d['open_in_city']:,} open cases in {r['city']}.",
        "",
        "## Figures against targets",
        "",
        "| measure | result | target | |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {v} |" for a, b, c, v in rows],
        "",
    ]
    if http_ or inproc:
        out += [
            "## (a) Case list: `GET " + r["url"] + "`",
            "",
            f"Page 1 ({inproc['rows'] if inproc else '?'} rows, cursor pagination, token "
            f"auth as an agent). {r['args']['warmup']} warm-up requests, then "
            f"{r['args']['requests']} timed, one after another.",
            "",
            "| client | n | median | p95 | min | max |",
            "|---|---|---|---|---|---|",
        ]
        for label, x in (("HTTP (http.client -> gunicorn)", http_), ("test Client", inproc)):
            if x:
                out.append(
                    f"| {label} | {x['n']} | {x['median_ms']:.1f} ms | {x['p95_ms']:.1f} ms | "
                    f"{x['min_ms']:.1f} ms | {x['max_ms']:.1f} ms |"
                )
        if http_:
            out += [
                "",
                f"HTTP server: `gunicorn {http_['server']}`; response {http_['bytes']:,} B.",
            ]
        if inproc:
            out += [
                "",
                f"Queries per request (in-process, CaptureQueriesContext): "
                f"**{len(inproc['queries'])}**",
                "",
                "```",
                *[q["sql"][:170] for q in inproc["queries"]],
                "```",
                "",
                "Wall time per query as the client sees it (ms, round trip included): "
                + ", ".join(f"{k} {v:.2f}" for k, v in inproc["db_ms_by_statement"].items())
                + ".",
            ]
        if inproc:
            p = inproc["profile"]
            out += [
                "",
                f"Time split (in-process, {p['transitions']} requests): "
                f"{inproc['db_ms_each']:.2f} ms of {inproc['ms_each']:.2f} ms per request inside "
                "database calls; the rest is Python (middleware, DRF, filters, serializer, "
                "pagination).",
                "",
                "<details><summary>cProfile of the list request, by cumulative time</summary>",
                "",
                "```",
                p["cumulative"],
                "```",
                "",
                "</details>",
                "",
                "<details><summary>cProfile of the list request, by own time</summary>",
                "",
                "```",
                p["tottime"],
                "```",
                "",
                "</details>",
            ]
        plan = r.get("explain", {}).get("plan", [])
        if plan:
            out += [
                "",
                f"EXPLAIN (ANALYZE, BUFFERS) of the page query, top line: `{plan[0].strip()}`",
                "",
                "```",
                *plan,
                "```",
            ]
    elif r.get("list_skipped"):
        out += ["## (a) Case list", "", r["list_skipped"], ""]
    if tr:
        p = tr["profile"]
        out += [
            "",
            "## (b) Transitions per second",
            "",
            f"{tr['cases']:,} fresh cases (created through `services.create_case`), each taken "
            f"through {' -> '.join(CYCLE)}: {tr['transitions']:,} calls of "
            f"`services.transition_case` in {tr['seconds']:.2f} s, one process, one connection.",
            "",
            f"- Throughput: **{tr['per_second']:,.0f} transitions/s** "
            f"({tr['ms_each']:.2f} ms each).",
            f"- Queries per transition: {tr['queries_per_transition']} "
            "(transaction statements included):",
            "",
            "```",
            *tr["query_list"],
            "```",
            "",
            f"- Diagnostic: the same loop with `SET synchronous_commit TO off` (commit does not "
            f"wait for the WAL flush): {tr['async_commit_per_second']:,.0f} transitions/s.",
            f"- Time split (unprofiled run): {tr['db_ms_each']:.2f} ms of the "
            f"{tr['ms_each']:.2f} ms per transition is spent inside database calls "
            f"({tr['db_calls_each']:.1f} per transition: execute incl. BEGIN, and COMMIT, "
            f"measured around psycopg), {tr['ms_each'] - tr['db_ms_each']:.2f} ms in Python "
            "(ORM query building, django-fsm, the service code).",
            "- Database time per transition by statement (ms; BEGIN rides on the first "
            "statement): "
            + ", ".join(f"{k} {v:.2f}" for k, v in tr["db_ms_by_statement"].items())
            + ".",
            f"- cProfile over {p['transitions']:,} transitions ({p['per_second']:,.0f}/s under "
            "the profiler, which inflates Python time):",
            "",
            "<details><summary>cProfile, sorted by cumulative time</summary>",
            "",
            "```",
            p["cumulative"],
            "```",
            "",
            "</details>",
            "",
            "<details><summary>cProfile, sorted by own time</summary>",
            "",
            "```",
            p["tottime"],
            "```",
            "",
            "</details>",
        ]
    if gen:
        out += [
            "",
            "## Bulk generation",
            "",
            f"`manage.py generate_load` (COPY, batches of 50,000): `{gen['line']}` "
            f"(run {gen['when']}; `make bench` skips generation when the cases are there).",
        ]
    out += ["", "## Analysis", "", analysis, ""]
    path.write_text("\n".join(out))
