"""The SAS dialect's operator settings.

``JOBGATE_SAS_JOB_TYPES``: a JSON object of SAS job definition type -> the step its
definitions run (``{"type", "params"}``, a step type in ``JOBGATE_API_STEP_TYPES``), e.g.
``{"Compute": {"type": "python", "params": {"callable": "examples.jobs:import_customers"}}}``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from jobgate.settings import Settings

JOB_TYPES = "SAS_JOB_TYPES"


@dataclass(frozen=True)
class Config:
    job_types: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Config:
        raw = settings.option(JOB_TYPES) or "{}"
        try:
            types = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"JOBGATE_{JOB_TYPES}: not JSON ({exc})") from None
        if not isinstance(types, dict):
            raise ValueError(f"JOBGATE_{JOB_TYPES}: must be a JSON object of type -> step")
        for name, step in types.items():
            if not isinstance(step, dict) or step.get("type") not in settings.api_step_types:
                raise ValueError(f"JOBGATE_{JOB_TYPES}: {name}: the step's type must be one of "
                                 f"{', '.join(settings.api_step_types)}")
            if set(step) - {"type", "params"}:
                raise ValueError(f"JOBGATE_{JOB_TYPES}: {name}: a step has only type and params")
        return cls(types)
