#!/usr/bin/env python3
"""The inet benchmark's target, checked on run_peers.sh raw results.

  targets.py RAW [RAW...]

The target (issue "The inet layer", benchmark): esock ahead of every peer
(ratio esock/peer > 1) except the hand-written epoll server, where 0.9 is
enough; Erlang counts as its best backend. For every workload and peer this
prints:

  ratio   median(esock) / median(peer) over the repetitions: the figure the
          target is about;
  rounds  the ratio inside each round (esock and the peer ran minutes apart
          in one round, so a round's ratio is free of the hour's drift),
          lowest and highest;
  met     in how many rounds the ratio met the target;
  p       one-sided sign test over the rounds: the chance of seeing at most
          that many met rounds (a low p: short for real) or at least that
          many (a low p: ahead for real) if each round were a coin toss;
  gen*    the load generator, not the server, limited that cell (its CPU
          was at least 95 % of a core) for both servers: the throughput
          then says little about the servers, and the server CPU per
          message (last column, esock/peer, lower is better) says more.

A verdict per cell: "ok" when the ratio meets the target, "SHORT" when it
does not, and "(noise)" when p > 0.05 either way, that is when the rounds
do not tell the two apart.
"""
import math
import statistics as st
import sys

WORKLOADS = ["pp64_c1", "pp64_c50", "st64_c8", "st16k_c8", "conn_c16"]
PRIMARY = {"st16k_c8": "MB_per_s"}  # msgs_per_s elsewhere
ERLANG = ["erl_inet", "erl_inet_socket", "erl_socket"]
PEERS = [("epoll", 0.9, False), ("uv", 1.0, True), ("event", 1.0, True), ("erlang", 1.0, True)]
GEN_BOUND_PCT = 95


def load(paths):
    rows = []
    for p in paths:
        with open(p) as fh:
            for line in fh:
                if line.startswith("RAW "):
                    rows.append(dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv))
    return rows


def cell(rows, server, wl):
    """The repetitions of one server on one workload."""
    return [r for r in rows if r.get("server") == server and r.get("workload") == wl]


def num(r, key):
    try:
        return float(r.get(key, "nan"))
    except ValueError:
        return float("nan")


def by_round(rows, server, wl):
    """{rep: primary metric} of one server on one workload."""
    key = PRIMARY.get(wl, "msgs_per_s")
    out = {r.get("rep", "?"): num(r, key) for r in cell(rows, server, wl)}
    return {k: v for k, v in out.items() if v == v}


def best_erlang(rows, wl):
    """The Erlang backend with the highest median on wl, or None."""
    best = None
    for s in ERLANG:
        v = by_round(rows, s, wl)
        if v and (best is None or st.median(v.values()) > best[1]):
            best = (s, st.median(v.values()))
    return best[0] if best else None


def binom_tail(k, n, upper):
    """P(X <= k) (or P(X >= k) when upper) for X ~ Binomial(n, 1/2)."""
    ks = range(k, n + 1) if upper else range(0, k + 1)
    return sum(math.comb(n, i) for i in ks) / 2 ** n


def gen_bound(rows, server, wl):
    pct = [x for x in (num(r, "client_cpu_pct") for r in cell(rows, server, wl)) if x == x]
    return bool(pct) and st.median(pct) >= GEN_BOUND_PCT


def cpu_per_msg(rows, server, wl):
    v = [num(r, "server_cpu_s") / num(r, "all_msgs") for r in cell(rows, server, wl)
         if num(r, "all_msgs") > 0]
    v = [x for x in v if x == x]
    return st.median(v) if v else float("nan")


def check(rows, wl, peer, target, strict):
    name = best_erlang(rows, wl) if peer == "erlang" else peer
    e, p = by_round(rows, "esock", wl), by_round(rows, name, wl) if name else {}
    if not e or not p:
        return None
    ratio = st.median(e.values()) / st.median(p.values())
    reps = sorted(set(e) & set(p))
    per = [e[k] / p[k] for k in reps if p[k] > 0]

    def ok(x):
        return x > target if strict else x >= target
    met = sum(1 for x in per if ok(x))
    n = len(per)
    pval = binom_tail(met, n, upper=ok(ratio)) if n else 1.0
    verdict = ("ok" if ok(ratio) else "SHORT") + (" (noise)" if pval > 0.05 else "")
    gen = "gen*" if gen_bound(rows, "esock", wl) and gen_bound(rows, name, wl) else ""
    cpu = cpu_per_msg(rows, "esock", wl) / cpu_per_msg(rows, name, wl)
    return (wl, name, ("> " if strict else ">= ") + f"{target:g}", f"{ratio:.3f}",
            f"{min(per):.2f}-{max(per):.2f}" if per else "-", f"{met}/{n}", f"{pval:.3f}",
            verdict, gen, f"{cpu:.3f}")


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    rows = load(argv[1:])
    head = ("workload", "peer", "target", "ratio", "rounds", "met", "p", "verdict", "gen", "cpu e/p")
    out = [check(rows, wl, peer, t, strict) for wl in WORKLOADS for peer, t, strict in PEERS]
    out = [o for o in out if o]
    if not out:
        sys.stderr.write("no esock results paired with a peer in these files\n")
        return 1
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for o in out:
        print("| " + " | ".join(o) + " |")
    short = [o for o in out if o[7].startswith("SHORT")]
    real = [o for o in short if "noise" not in o[7]]
    print(f"\n{len(out) - len(short)} of {len(out)} cells on target; "
          f"{len(short)} short, {len(real)} of them short in the rounds too (p <= 0.05).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
