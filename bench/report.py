"""The run's tables on stdout (the JSON of `--out` holds every number)."""
from __future__ import annotations


def _kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def report(results: dict) -> None:
    m = results["machine"]
    print(f"\njobgate against bare baselines  ({m['date']}, {m['cpus']} cpus, {m['cpu']}, python {m['python']}, "
          f"load {m['load']:.1f}, {results['seconds']} s: "
          + ", ".join(f"{name} {seconds} s" for name, seconds in results["phase_seconds"].items()) + ")")
    if "web" in results:
        print(f"\n{'HTTP':34}{'bare rps':>10}{'jobgate rps':>13}{'x of bare':>11}{'p50 ms bare/jg':>18}"
              f"{'p95 ms bare/jg':>18}")
        for name, r in results["web"].items():
            b, j = r["bare"], r["jobgate"]
            print(f"{name:34}{b['rps']:>10}{j['rps']:>13}{r['x_of_bare']:>11}{b['p50_ms']:>9}/{j['p50_ms']:<8}"
                  f"{b['p95_ms']:>9}/{j['p95_ms']:<8}" + (f"  errors {j['errors']} {j['first_error']}" if j["errors"]
                                                          else ""))
    if "workers" in results:
        print(f"\n{'worker (1 process, no-op)':34}{'jobs/s':>10}{'submit->end p50 ms':>20}"
              f"{'keys/run':>12}{'used_memory/run':>17}")
        for name, r in results["workers"].items():
            print(f"{name:34}{r['jobs_per_s']:>10}{r['submit_to_end_p50_ms']:>20}"
                  f"{_kb(r['memory_per_job_bytes']):>12}{_kb(r['used_memory_per_job_bytes']):>17}"
                  f"   (succeeded {r['succeeded']}/{r['jobs']})")
        for name, r in results["workers"].items():
            print(f"  {name} bytes per run by key: " + ", ".join(f"{k} {v}" for k, v in r["memory_by_key"].items()))
    if "capacity" in results:
        print(f"\n{'capacity (gateways x workers)':34}{'jobs/s':>10}{'submits/s':>11}{'redis cmds/run':>16}"
              f"{'redis cpu ms/run':>18}{'redis core':>12}{'redis bound/s':>15}")
        for r in results["capacity"]:
            print(f"{str(r['gateways']) + ' x ' + str(r['workers']):<34}{r['jobs_per_s']:>10}{r['submits_per_s']:>11}"
                  f"{r['commands_per_execution']:>16}{r['redis_cpu_ms_per_execution']:>18}"
                  f"{r['redis_core_share']:>12}{r['redis_bound_jobs_per_s']:>15}   top: "
                  + ", ".join(f"{k} {v}" for k, v in r["top_commands_per_execution"].items())
                  + (f"; {r['submit_errors']} submits refused: {r['first_error']}" if r["submit_errors"] else ""))
        print("  keys left after the purges: " + ", ".join(
            f"{k} {v}" for k, v in results["capacity"][-1]["left_after_purge"].items()))
    if "lists" in results:
        found, levels = results["lists"], results["lists"]["levels"]
        print(f"\n{'list p50 ms':34}" + "".join(f"{level:>12}" for level in levels)
              + (f"{'ratio':>8}" if len(levels) > 1 else ""))
        first = found["at"][levels[0]]
        for label in first:
            cells = [found["at"][level][label] for level in levels]
            shown = "".join(f"{c['p50_ms'] if not c['error'] else '>' + str(c['p50_ms']):>12}" for c in cells)
            bound = ">" if cells[-1]["error"] else ""
            ratio = f"{bound + format(cells[-1]['p50_ms'] / cells[0]['p50_ms'], '.2f'):>8}" if len(levels) > 1 else ""
            print(f"{label:34}{shown}{ratio}" + "".join(f"  {c['error']}" for c in cells if c["error"]))
        for seeded in found["seeding"]:
            print(f"seeded {seeded['count']} in {seeded['seconds']} s ({seeded['per_s']}/s), "
                  f"{_kb(seeded['memory_per_execution_bytes'])} each")
