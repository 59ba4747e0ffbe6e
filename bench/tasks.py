"""The gateway as gunicorn serves it in the bench (the bare app is bench.baselines)."""
from __future__ import annotations

import os


def gateway():
    """jobgate as operators run it (`gunicorn 'bench.tasks:gateway()'`), configured by env."""
    from jobgate.kit.app import create_app
    from jobgate.settings import Settings
    return create_app(Settings.from_env(os.environ))
