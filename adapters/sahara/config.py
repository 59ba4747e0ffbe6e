"""Operator settings of the Sahara dialect (JOBGATE_SAHARA_* variables), checked once at start-up.

jobgate has no Hadoop: which step a Sahara job type runs is the operator's
choice, and a type left out is refused rather than faked; which RQ queue a
cluster id stands for is the operator's choice too.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from jobgate.settings import Settings

#: every job type Sahara knows (sahara.utils.edp.JOB_TYPES_ALL)
JOB_TYPES = ("Hive", "Java", "MapReduce", "MapReduce.Streaming", "Pig", "Shell", "Spark", "Storm", "Storm.Pyleus")


@dataclass(frozen=True)
class Config:
    #: Sahara job type -> the step a template of that type runs ({"type", "params"})
    job_types: dict[str, dict] = field(default_factory=dict)
    #: cluster id -> the RQ queue its executions run on (others: the job's own queue)
    cluster_queues: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Config:
        raw = settings.option("SAHARA_JOB_TYPES")
        try:
            job_types = json.loads(raw) if raw else {}
        except json.JSONDecodeError as exc:
            raise ValueError(f"JOBGATE_SAHARA_JOB_TYPES: not JSON: {exc}") from None
        if not isinstance(job_types, dict):
            raise ValueError("JOBGATE_SAHARA_JOB_TYPES: must be a JSON object of job type -> step")
        for name, step in job_types.items():
            if name not in JOB_TYPES:
                raise ValueError(f"JOBGATE_SAHARA_JOB_TYPES: unknown job type {name!r} (known: {', '.join(JOB_TYPES)})")
            if not isinstance(step, dict) or not isinstance(step.get("type"), str):
                raise ValueError(f"JOBGATE_SAHARA_JOB_TYPES: {name}: must be an object with a step \"type\"")
        raw = settings.option("SAHARA_CLUSTER_QUEUES")
        try:
            cluster_queues = json.loads(raw) if raw else {}
        except json.JSONDecodeError as exc:
            raise ValueError(f"JOBGATE_SAHARA_CLUSTER_QUEUES: not JSON: {exc}") from None
        if not isinstance(cluster_queues, dict) or not all(isinstance(q, str) for q in cluster_queues.values()):
            raise ValueError("JOBGATE_SAHARA_CLUSTER_QUEUES: must be a JSON object of cluster id -> queue name")
        return cls(job_types, cluster_queues)
