"""A gateway whose Sahara dialect serves job types, beside the suite's own one.

It shares the suite's Redis and RQ workers; only JOBGATE_SAHARA_JOB_TYPES
and JOBGATE_SAHARA_CLUSTER_QUEUES differ, in the settings its app is built with.
"""
import json

import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from saharaclient import client as sahara_client

from jobgate.settings import Settings
from jobgate.testing.parts import TOKENS, Gateway

#: Sahara job type -> the step its templates run, as an operator would configure it
JOB_TYPES = {
    "Shell": {"type": "python", "params": {"callable": "jobgate.testing.jobs:count"}},
    "Java": {"type": "sleep", "params": {"seconds": 30}},
}
TENANTS = {"alice": "acme", "bob": "acme", "carol": "globex"}
CLUSTER = "811e1134-666f-4c48-bc92-afb5b10c9d8c"
#: a cluster the operator routes to the `parked` queue, where no test worker listens
PARKED_CLUSTER = "2a1f3c5e-0000-4000-8000-00000000beef"


@pytest.fixture(scope="session")
def sahara_base(gateway_env, workers):
    server = Gateway(Settings.from_env({**gateway_env, "JOBGATE_SAHARA_JOB_TYPES": json.dumps(JOB_TYPES),
                                        "JOBGATE_SAHARA_CLUSTER_QUEUES": json.dumps({PARKED_CLUSTER: "parked"})}))
    yield server.url
    server.close()


def sahara_for(base: str, who: str, token: str | None = None):
    """python-saharaclient pointed at this gateway as OSC does it: endpoint override + token."""
    url = f"{base}/v1.1/{TENANTS[who]}"
    session = ks_session.Session(auth=token_endpoint.Token(url, token or TOKENS[who]))
    return sahara_client.Client("1.1", session=session, sahara_url=url)


@pytest.fixture
def sahara(sahara_base):
    return sahara_for(sahara_base, "alice")
