"""`eligibility`'s rows on a local Dask cluster of two worker processes, written by the workers.

    python benchmarks/dask_cluster.py PEOPLE.jsonl OUT_FOLDER DATE [DATE ...]

The benchmark (run.py --only dask) runs this as its own process and compares its CPU time, with its
workers', to `eligibility batch --jobs 2` on the same file: the same job, on the same two cores.
"""

from __future__ import annotations

import sys


def main() -> None:
    from distributed import Client, LocalCluster

    from eligibility.runners.distributed import judge_text

    people, out, *dates = sys.argv[1:]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster):
            judge_text(people, dates).to_textfiles(f"{out}/part-*.jsonl")


if __name__ == "__main__":
    main()
