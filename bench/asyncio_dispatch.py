#!/usr/bin/env python3
"""The peer of bench_engine's dispatch row in plain Python asyncio: JOBS jobs,
each a chain of STAGES stages (or a fan-out: one stage, STAGES - 2 parallel
stages reading it, a join reading all), every stage rendering its prompt
from its inputs and awaiting a zero-latency "executor" (a future completed
by the loop on its next turn, like bench_engine's posted completion), at
most SLOTS stages running at once (an asyncio.Semaphore). Prints min and
median microseconds per stage over REPEATS runs, in bench_engine's format.

  asyncio_dispatch.py [JOBS] [REPEATS] [STAGES] [SLOTS] [chain|fanout]"""
import asyncio
import statistics
import sys
import time


async def execute(prompt):
    """A zero-latency executor: the result arrives on the loop's next turn."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    loop.call_soon(done.set_result, "x")
    return await done


async def stage(slots, prompt):
    async with slots:
        return await execute(prompt)


async def chain_job(slots, q, stages):
    prev = q
    for _ in range(stages):
        prev = await stage(slots, "step %s" % prev)
    return prev


async def fanout_job(slots, q, stages):
    first = await stage(slots, "step %s" % q)
    parts = await asyncio.gather(*(stage(slots, "step %s" % first) for _ in range(stages - 2)))
    return await stage(slots, "step " + " ".join(parts))


async def run(jobs, stages, slots, shape):
    sem = asyncio.Semaphore(slots)
    job = chain_job if shape == "chain" else fanout_job
    t0 = time.perf_counter()
    results = await asyncio.gather(*(job(sem, "go", stages) for _ in range(jobs)))
    elapsed = time.perf_counter() - t0
    assert len(results) == jobs
    return elapsed


def main():
    a = sys.argv[1:]
    jobs = int(a[0]) if len(a) > 0 else 200
    repeats = int(a[1]) if len(a) > 1 else 5
    stages = int(a[2]) if len(a) > 2 else 50
    slots = int(a[3]) if len(a) > 3 else 64
    shape = a[4] if len(a) > 4 else "chain"
    if jobs < 1 or repeats < 1 or stages < 3 or slots < 1 or shape not in ("chain", "fanout"):
        sys.exit("usage: asyncio_dispatch.py [JOBS] [REPEATS] [STAGES >= 3] [SLOTS] [chain|fanout]")
    per = sorted(asyncio.run(run(jobs, stages, slots, shape)) / (jobs * stages) for _ in range(repeats))
    med = statistics.median(per)
    print("dispatch: %d jobs x %d stages (%s), %d slots, python asyncio, %d runs: "
          "min %.2f us, median %.2f us per stage, %.0f stages/s" % (jobs, stages, shape, slots, repeats,
                                                                   per[0] * 1e6, med * 1e6, 1 / med))


if __name__ == "__main__":
    main()
