"""Medians of interleaved runs (bench/door/vs_pretix.sh): rate and p95 of the first check-in pass
(every badge admitted once) and the second (every badge refused), ours against pretix's."""
import json
import pathlib
import statistics
import sys


def first_json(path):
    text = path.read_text()
    start = text.find("{")
    try:
        return json.loads(text[start:]) if start >= 0 else None
    except ValueError:
        return None


out = pathlib.Path(sys.argv[1])
rows = {}
for f in sorted(out.glob("*-*-*.json")):
    _n, system, engine = f.stem.split("-", 2)
    data = first_json(f)
    if not data:
        continue
    for key in ("checkin_first_pass", "checkin_second_pass"):
        p = data.get(key)
        if p:
            rows.setdefault((engine, key, system), []).append((p["req_per_s"],
                                                               p["latency"]["p95_ms"]))
for engine in sorted({k[0] for k in rows}):
    for key in ("checkin_first_pass", "checkin_second_pass"):
        ours, theirs = rows.get((engine, key, "network"), []), rows.get((engine, key, "pretix"), [])
        if not ours or not theirs:
            continue
        r_o, p_o = statistics.median(r for r, _ in ours), statistics.median(p for _, p in ours)
        r_t, p_t = statistics.median(r for r, _ in theirs), statistics.median(p for _, p in theirs)
        print(f"{engine:8} {key:20} ours {r_o:7.1f}/s p95 {p_o:7.1f} ms | pretix {r_t:6.1f}/s "
              f"p95 {p_t:7.1f} ms | rate x{r_o / r_t:5.1f}, p95 1/{p_t / p_o:4.1f} "
              f"(runs: {len(ours)} vs {len(theirs)}; ours {ours}, pretix {theirs})")
