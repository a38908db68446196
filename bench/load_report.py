"""The load run's figures as one dict (for --json and the smoke test) and as text (docs/bench/load.txt)."""

from __future__ import annotations

from collections import Counter


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def summary(options, stats, cluster, supervisor, checks: dict, audit: dict, machine: dict, elapsed: float) -> dict:
    statuses = Counter(stats.statuses)
    server = cluster.request_lines()
    server_statuses = Counter(line["status"] for line in server)
    registrations = checks["registrations"]
    report = {
        "config": {"clients": options.clients, "seconds": options.seconds, "web": options.web,
                   "threads": options.threads, "workers": options.workers, "kill_every": options.kill_every,
                   "same_scans": options.same_scans},
        "machine": machine, "elapsed_s": round(elapsed, 1),
        "requests": sum(statuses.values()), "status_5xx": sum(n for s, n in statuses.items() if s >= 500),
        "status_409": statuses[409], "statuses": {str(s): n for s, n in sorted(statuses.items())},
        "connection_errors": sum(stats.transport_errors.values()),
        "server_log": {"requests": len(server), "status_5xx": sum(n for s, n in server_statuses.items() if s >= 500),
                       "routes_5xx": sorted({line["route"] or "-" for line in server if line["status"] >= 500})},
        "tracebacks": cluster.tracebacks(), "server_errors": stats.server_errors[:10],
        "flows": dict(stats.outcomes), "registrations_completed": len(stats.registrations),
        "certificates_issued": len(stats.certificates), "oddities": stats.oddities[:20],
        "numbers": checks["numbers"], "registration_check": registrations, "orphans": checks["orphans"],
        "instances": checks["instances"], "audit_verify": audit,
        "kills": supervisor.kills, "worker_restarts": supervisor.restarts,
        "latency_ms": {kind: {"n": len(v), "p50": round(percentile(v, 0.5), 1), "p95": round(percentile(v, 0.95), 1)}
                       for kind, v in sorted(stats.latencies.items())},
    }
    report["verdict"] = verdict(report)
    return report


def verdict(report: dict) -> dict:
    numbers, registrations = report["numbers"], report["registration_check"]
    problems = {
        "5xx": report["status_5xx"] + report["server_log"]["status_5xx"],
        "lost": len(registrations["lost"]) + len(registrations["seen_by_clients_missing"]),
        "duplicated": len(registrations["duplicated"]) + len(registrations["residents_registered_twice"]),
        "registrations_without_step": len(registrations["without_step"]),
        "bad_numbers": not (numbers["unique"] and numbers["gapless"] and numbers["check_digits_valid"]),
        "audit_alarms": sum(not run["ok"] for run in report["audit_verify"]["during"])
        + (not report["audit_verify"]["final"]["ok"]),
        "orphans": len(report["orphans"]["impressions"]) + len(report["orphans"]["blobs"]),
        "tracebacks": sum(len(found) for found in report["tracebacks"].values()),
    }
    return {"ok": not any(problems.values()), **problems}


def describe(report: dict) -> str:
    """The report as text lines, figures first."""
    c, m, n, r = report["config"], report["machine"], report["numbers"], report["registration_check"]
    audit = report["audit_verify"]
    lines = [
        f"bench/load.py — {c['clients']} clients × {c['seconds']:.0f} s, PostgreSQL, gunicorn -w {c['web']} "
        f"--threads {c['threads']}, {c['workers']} inkan worker(s), "
        + (f"kill -9 every {c['kill_every']:.0f} s" if c["kill_every"] else "no kills")
        + (", byte-identical scans" if c["same_scans"] else ""),
        f"machine: {m['cores']} cores, load average before {_load(m['load_before'])}, after {_load(m['load_after'])}"
        f" (shared with other work); uptime: {m['uptime']}",
        f"elapsed {report['elapsed_s']} s (start window + finishing the flows begun)",
        f"requests {report['requests']}  5xx {report['status_5xx']}  409 {report['status_409']}  "
        f"connection errors {report['connection_errors']}  statuses {report['statuses']}",
        f"server log: {report['server_log']['requests']} request lines, 5xx {report['server_log']['status_5xx']} "
        f"{report['server_log']['routes_5xx'] or ''}; tracebacks "
        f"{ {log: len(found) for log, found in report['tracebacks'].items()} }",
        f"registrations completed {report['registrations_completed']}  certificates issued "
        f"{report['certificates_issued']}  flows {report['flows']}",
        f"numbers checked {n['numbers']}: unique {n['unique']}, gapless {n['gapless']} (last serial "
        f"{n['last_serial']}), check digits valid {n['check_digits_valid']}",
        f"4.1.2.1 reached by {r['reached_4_1_2_1']} instances: lost {len(r['lost'])} {r['lost'] or ''}, duplicated "
        f"{len(r['duplicated'])} {r['duplicated'] or ''}, registrations without the step {len(r['without_step'])}, "
        f"residents registered twice {len(r['residents_registered_twice'])}, seen by clients but missing "
        f"{len(r['seen_by_clients_missing'])}",
        f"orphans: impressions {len(report['orphans']['impressions'])}, blobs {len(report['orphans']['blobs'])}",
        f"instances: {report['instances']}",
        f"inkan audit verify during the load: {sum(v['ok'] for v in audit['during'])}/{len(audit['during'])} ok; "
        f"final: {'ok' if audit['final']['ok'] else 'FAILED'}",
        *[f"  {line}" for line in audit["final"]["output"].splitlines()],
        f"kills {len(report['kills'])} {[(k['at_s'], k['kind']) for k in report['kills']]}, "
        f"inkan worker restarts {report['worker_restarts']}",
        "latency per request kind (ms):",
        *[f"  {kind:<30} n {v['n']:>6}  p50 {v['p50']:>8.1f}  p95 {v['p95']:>8.1f}"
          for kind, v in report["latency_ms"].items()],
        *[f"oddity: {line}" for line in report["oddities"]],
        *[f"server error: {e['kind']}: {e['body']}" for e in report["server_errors"]],
        *[f"traceback in {log}: {line}" for log, found in report["tracebacks"].items() for line in found[:5]],
        *[f"audit alarm during the load: {v['at']}: {v['output']}" for v in audit["during"] if not v["ok"]],
        f"verdict: {report['verdict']}",
    ]
    return "\n".join(lines)


def _load(values) -> str:
    return " ".join(f"{v:.2f}" for v in values)
