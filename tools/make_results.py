#!/usr/bin/env python3
"""Turns the JSON files of tools/reproduce.sh into docs/results.md and its
figures (matplotlib, SVG). Checks each target of the comparison and says
plainly which are met and which are missed, with the numbers."""
import glob
import json
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ORDER = ["fcfs", "fair", "sjf", "srtf-mean", "carbyne", "decima", "llmsched-nobn", "llmsched-nounc", "llmsched",
         "oracle-srtf"]
STYLE = {  # colour, marker
    "fcfs": ("#7f7f7f", "s"), "fair": ("#9c755f", "v"), "sjf": ("#b07aa1", "D"), "srtf-mean": ("#f28e2b", "^"),
    "carbyne": ("#bcbd22", "P"), "decima": ("#17becf", "X"), "llmsched-nobn": ("#76b7b2", "<"),
    "llmsched-nounc": ("#59a14f", ">"), "llmsched": ("#d62728", "o"), "oracle-srtf": ("#4e79a7", "*")}
WORKLOADS = ["uniform", "llm-heavy", "structure-heavy", "tool-heavy"]
HIGH, LOW, BIG = 1.2, 0.8, 400


def load(folder):
    """runs[workload][(load, jobs)][seed] = document"""
    runs = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        key = (round(doc["load"], 1), doc["jobs"])
        runs.setdefault(doc["workload"], {}).setdefault(key, {})[doc["seed"]] = doc
    return runs


def by_scheduler(docs, field):
    """scheduler -> [value per seed]"""
    out = {}
    for doc in docs.values():
        for r in doc["results"]:
            out.setdefault(r["scheduler"], []).append(r[field])
    return out


def ordered(names):
    return [n for n in ORDER if n in names] + sorted(n for n in names if n not in ORDER)


def mean(xs):
    return statistics.fmean(xs) if xs else float("nan")


def sd(xs):
    return statistics.stdev(xs) if len(xs) > 1 else 0.0


def cell(xs, ref=None):
    text = "%.2f ± %.2f" % (mean(xs), sd(xs))
    if ref:
        text += " (%.2f)" % (mean(xs) / ref)
    return text


def style_plot(ax, title, xlabel, ylabel):
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)


def fig_jobs(name, cells, path):
    """Average JCT against the number of jobs at the high load, error bars over seeds."""
    sizes = sorted(j for (l, j) in cells if l == HIGH)
    series = {}
    for j in sizes:
        for s, xs in by_scheduler(cells[(HIGH, j)], "avg_jct").items():
            series.setdefault(s, []).append((j, mean(xs), sd(xs)))
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for s in ordered(series):
        colour, marker = STYLE.get(s, ("black", "o"))
        pts = series[s]
        ax.errorbar([p[0] for p in pts], [p[1] for p in pts], yerr=[p[2] for p in pts], color=colour, marker=marker,
                    linewidth=2.5 if s == "llmsched" else 1.3, capsize=3, label=s)
    ax.set_xticks(sizes)
    ax.set_ylim(bottom=0)
    style_plot(ax, "%s: average JCT at load %.1f" % (name, HIGH), "jobs", "average JCT (s)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def fig_cdf(name, docs, path):
    """JCT CDF over all seeds at the high load and the largest size (log x)."""
    jcts = {}
    for doc in docs.values():
        for r in doc["results"]:
            jcts.setdefault(r["scheduler"], []).extend(r["jct"])
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for s in ordered(jcts):
        xs = sorted(x for x in jcts[s] if x > 0)
        if not xs:
            continue
        colour, _ = STYLE.get(s, ("black", "o"))
        ax.step(xs, [(i + 1) / len(xs) for i in range(len(xs))], where="post", color=colour,
                linewidth=2.5 if s == "llmsched" else 1.3, label=s)
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    style_plot(ax, "%s: JCT distribution, %d jobs at load %.1f" % (name, BIG, HIGH), "JCT (s, log scale)",
               "fraction of jobs")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def fig_load(runs, path):
    """Average JCT against load, one panel per workload, at the largest size."""
    fig, axes = plt.subplots(1, len(WORKLOADS), figsize=(14, 4), sharey=False)
    for ax, name in zip(axes, WORKLOADS):
        cells = runs.get(name, {})
        loads = sorted(l for (l, j) in cells if j == BIG)
        series = {}
        for l in loads:
            for s, xs in by_scheduler(cells[(l, BIG)], "avg_jct").items():
                series.setdefault(s, []).append((l, mean(xs), sd(xs)))
        for s in ordered(series):
            colour, marker = STYLE.get(s, ("black", "o"))
            pts = series[s]
            ax.errorbar([p[0] for p in pts], [p[1] for p in pts], yerr=[p[2] for p in pts], color=colour,
                        marker=marker, linewidth=2.5 if s == "llmsched" else 1.2, capsize=3, label=s)
        ax.set_xticks(loads)
        ax.set_ylim(bottom=0)
        style_plot(ax, name, "load factor", "average JCT (s)" if ax is axes[0] else "")
    axes[-1].legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    fig.suptitle("Average JCT against load (%d jobs)" % BIG)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def avg(docs):
    """scheduler -> average JCT, the mean over seeds"""
    return {s: mean(xs) for s, xs in by_scheduler(docs, "avg_jct").items()}


def targets(runs):
    """(line, met) per target of the comparison."""
    out = []
    high = {w: runs[w].get((HIGH, BIG), {}) for w in WORKLOADS if w in runs}
    low = {w: runs[w].get((LOW, BIG), {}) for w in WORKLOADS if w in runs}

    def margin(a, b):  # how far a is below b
        return 1 - a / b

    for group, need in ((["sjf", "srtf-mean", "carbyne"], 0.15), (["fcfs", "fair"], 0.30)):
        worst = None
        for w, docs in high.items():
            a = avg(docs)
            for s in group:
                if s in a and "llmsched" in a:
                    m = margin(a["llmsched"], a[s])
                    if worst is None or m < worst[0]:
                        worst = (m, w, s)
        if worst:
            out.append(("load %.1f, %d jobs: llmsched at least %d%% below %s on every workload — smallest margin "
                        "%.1f%% (%s vs %s)" % (HIGH, BIG, need * 100, ", ".join(group), worst[0] * 100, worst[1],
                                                 worst[2]), worst[0] >= need))
    lows = []
    for w, docs in low.items():
        a = avg(docs)
        practical = {s: v for s, v in a.items() if s != "oracle-srtf"}
        if "llmsched" in practical:
            best = min(practical.values())
            lows.append((practical["llmsched"] / best - 1, w))
    if lows:
        worst = max(lows)
        out.append(("load %.1f: llmsched the best practical scheduler or within 1%% of it on every workload — "
                    "furthest %.1f%% behind the best (%s)" % (LOW, worst[0] * 100, worst[1]), worst[0] <= 0.01))
    for ablation in ("llmsched-nobn", "llmsched-nounc"):
        worse = []
        for w, docs in high.items():
            a = avg(docs)
            if ablation in a and "llmsched" in a:
                worse.append((a[ablation] / a["llmsched"] - 1, w))
        if worse:
            n = sum(1 for x, _ in worse if x >= 0.05)
            detail = ", ".join("%s %+.1f%%" % (w, x * 100) for x, w in worse)
            out.append(("load %.1f: %s at least 5%% worse than llmsched on at least 3 of 4 workloads — %d of 4 (%s)"
                        % (HIGH, ablation, n, detail), n >= 3))
    gaps = []
    for w, docs in high.items():
        a = avg(docs)
        if "oracle-srtf" in a and "llmsched" in a:
            gaps.append((a["llmsched"] / a["oracle-srtf"] - 1, w))
    if gaps:
        worst = max(gaps)
        out.append(("load %.1f: llmsched within 15%% of oracle-srtf on every workload — at most %+.1f%% (%s)"
                    % (HIGH, worst[0] * 100, worst[1]), worst[0] <= 0.15))
    dmean, dp99 = [], []
    for docs in high.values():
        for doc in docs.values():
            for r in doc["results"]:
                if r["scheduler"] == "llmsched":
                    dmean.append(r["mean_decision_us"])
                    dp99.append(r["p99_decision_us"])
    if dmean:
        out.append(("llmsched decision time at %d jobs ≤ 20 µs mean and ≤ 200 µs p99 — mean %.1f µs (worst run "
                    "%.1f), p99 worst run %.1f µs" % (BIG, mean(dmean), max(dmean), max(dp99)),
                    max(dmean) <= 20 and max(dp99) <= 200))
    return out


PAPER_DECIMA = {100: 38, 200: 65, 300: 73, 400: 75}  # LLMSched's reduction over Decima in the paper, %


def decima_margins(runs):
    """LLMSched's average-JCT reduction over Decima per workload and size at
    the high load, beside the paper's figures."""
    sizes = sorted({j for w in runs.values() for (l, j) in w if l == HIGH})
    rows = []
    for name in WORKLOADS:
        cells = runs.get(name, {})
        row = []
        for j in sizes:
            a = avg(cells.get((HIGH, j), {}))
            row.append("%.0f%%" % ((1 - a["llmsched"] / a["decima"]) * 100) if "decima" in a and "llmsched" in a
                       else "–")
        rows.append("| `%s` | %s |" % (name, " | ".join(row)))
    if all("–" in r for r in rows):
        return []
    return ["", "LLMSched's average JCT below Decima's (`1 − llmsched/decima`) at load %.1f, beside the paper's "
            "figures:" % HIGH, "", "| workload | " + " | ".join("%d jobs" % j for j in sizes) + " |",
            "|---|" + "---|" * len(sizes)] + rows + [
            "| paper (LLMSched, ICDCS 2025) | " + " | ".join("%d%%" % PAPER_DECIMA[j] if j in PAPER_DECIMA else "–"
                                                          for j in sizes) + " |"]


def main():
    folder, md_path, fig_dir = sys.argv[1:4]
    runs = load(folder)
    os.makedirs(fig_dir, exist_ok=True)
    for old in glob.glob(os.path.join(fig_dir, "*.svg")):
        os.remove(old)
    seeds = sorted({s for w in runs.values() for cells in w.values() for s in cells})
    lines = ["# LLMSched against the baselines, in the simulator", "",
             "Generated by `tools/reproduce.sh` (then `tools/make_results.py`); do not edit by hand.",
             "Cells are the mean ± standard deviation over seeds %s; the same jobs (same seed) run under every "
             "scheduler. Schedulers learn from profiles generated on other seeds and job ids (no leakage). The "
             "load factor is the arrival rate over the measured burst capacity (the jobs arriving at once under "
             "FCFS, divided by the makespan): see docs/simulate.md." % ", ".join(map(str, seeds)), "",
             "`oracle-srtf` is a reference, not a bound: SRTF on each job's true remaining work, which no real "
             "scheduler knows (and SRTF is not optimal for DAGs on two kinds of slots). The queueing delay is a "
             "job's JCT minus its standalone time (alone, with unlimited slots).", "", "## Targets", ""]
    for text, met in targets(runs):
        lines.append("- **%s** %s" % ("met" if met else "MISSED", text))
    lines += decima_margins(runs)
    lines.append("")
    lines.append("![average JCT against load](figures/jct-vs-load.svg)")
    fig_load(runs, os.path.join(fig_dir, "jct-vs-load.svg"))
    for name in WORKLOADS:
        if name not in runs:
            continue
        cells = runs[name]
        lines += ["", "## Workload `%s`" % name, ""]
        sizes = sorted(j for (l, j) in cells if l == HIGH)
        any_doc = next(iter(next(iter(cells.values())).values()))
        lines.append("Average JCT in seconds at load %.1f (%.3g jobs/s against a burst capacity of %.3g jobs/s), "
                     "relative to `llmsched` in parentheses:" % (HIGH, any_doc["rate"] / any_doc["load"] * HIGH,
                                                                 any_doc["capacity"]))
        lines += ["", "| scheduler | " + " | ".join("%d jobs" % j for j in sizes) + " |",
                  "|---|" + "---|" * len(sizes)]
        per_size = {j: by_scheduler(cells[(HIGH, j)], "avg_jct") for j in sizes}
        names = ordered({s for d in per_size.values() for s in d})
        for s in names:
            row = []
            for j in sizes:
                ref = mean(per_size[j].get("llmsched", []))
                row.append(cell(per_size[j].get(s, []), ref))
            lines.append("| `%s` | %s |" % (s, " | ".join(row)))
        if (HIGH, BIG) in cells:
            docs = cells[(HIGH, BIG)]
            f = {k: by_scheduler(docs, k) for k in ("avg_jct", "mean_queueing_delay", "p50_jct", "p95_jct", "p99_jct",
                                                     "mean_decision_us", "p99_decision_us", "wall_seconds")}
            lines += ["", "At %d jobs and load %.1f:" % (BIG, HIGH), "",
                      "| scheduler | avg JCT s | queueing delay s | p50 s | p95 s | p99 s | mean decision µs | "
                      "p99 decision µs | simulated jobs/s |", "|---|---|---|---|---|---|---|---|---|"]
            for s in ordered(f["avg_jct"]):
                jobs_per_s = mean([BIG / w for w in f["wall_seconds"][s] if w > 0])
                lines.append("| `%s` | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.1f | %.0f |" % (
                    s, mean(f["avg_jct"][s]), mean(f["mean_queueing_delay"][s]), mean(f["p50_jct"][s]),
                    mean(f["p95_jct"][s]), mean(f["p99_jct"][s]), mean(f["mean_decision_us"][s]),
                    max(f["p99_decision_us"][s]), jobs_per_s))
        if (LOW, BIG) in cells:
            low = by_scheduler(cells[(LOW, BIG)], "avg_jct")
            ref = mean(low.get("llmsched", []))
            lines += ["", "At %d jobs and load %.1f, average JCT (relative to `llmsched`):" % (BIG, LOW), "",
                      "| scheduler | avg JCT s | queueing delay s |", "|---|---|---|"]
            q = by_scheduler(cells[(LOW, BIG)], "mean_queueing_delay")
            for s in ordered(low):
                lines.append("| `%s` | %s | %.2f |" % (s, cell(low[s], ref), mean(q[s])))
        jobs_fig, cdf_fig = "%s-avg-jct.svg" % name, "%s-jct-cdf.svg" % name
        fig_jobs(name, cells, os.path.join(fig_dir, jobs_fig))
        if (HIGH, BIG) in cells:
            fig_cdf(name, cells[(HIGH, BIG)], os.path.join(fig_dir, cdf_fig))
        lines += ["", "![average JCT](figures/%s) ![JCT CDF](figures/%s)" % (jobs_fig, cdf_fig)]
    notes = os.path.join(os.path.dirname(md_path), "results-notes.md")
    if os.path.exists(notes):
        with open(notes) as f:
            lines += ["", f.read().rstrip()]
    with open(md_path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
