"""CDQ scheduled jobs on the core's schedules: with two workers ticking, each due time starts one job, on time."""
import time
import uuid
from datetime import datetime

from jobgate.testing.plugin import WORKERS
from tests.cdq.conftest import fault


def _jobs(cdq, tag):
    return cdq.ok("GET", "/v2/jobs", params={"tags": tag, "limit": 100})["values"]


def _stamp(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_scheduled_job_fires_on_time_once_per_due_time(cdq, service, workers):
    assert len(workers) == WORKERS == 2
    tag = uuid.uuid4().hex[:8]
    created = cdq.ok("POST", "/v2/jobs/scheduled", json={"scheduledJob": {
        "name": "Nightly validation", "description": "d", "organizationId": "acme", "clientId": "c-1",
        "cronExpression": "* * * * * */2", "type": "DATA_VALIDATION_JOB", "input": {"k": "v"},
        "storageId": "s-1", "tags": [tag]}})
    assert created["status"] == "ACTIVE" and created["cronExpression"] == "* * * * * */2" and created["nextRunAt"]
    assert (created["name"], created["clientId"], created["organizationId"]) == ("Nightly validation", "c-1", "acme")
    while len(_jobs(cdq, tag)) < 2:         # two due times have fired
        time.sleep(0.1)
    paused = cdq.ok("POST", f"/v2/jobs/scheduled/{created['id']}/pause")
    assert paused["status"] == "PAUSED" and "nextRunAt" not in paused
    jobs = _jobs(cdq, tag)
    dues = [service.store.get(job["id"]).attributes["schedule"]["due"] for job in jobs]
    assert len(dues) == len(set(dues)), dues            # one job per due time, however many workers ticked
    first = jobs[0]
    assert (first["name"], first["storageId"], first["type"], first["user"]) == (
        "Nightly validation", "s-1", "DATA_VALIDATION_JOB", "alice")
    due = datetime.fromtimestamp(dues[0] / 1000).astimezone()
    assert _stamp(first["createdAt"]) >= due.replace(microsecond=0)      # not before its due time
    assert service.store.get(first["id"]).parameters == {"k": "v"}
    resumed = cdq.ok("POST", f"/v2/jobs/scheduled/{created['id']}/resume")
    assert resumed["status"] == "ACTIVE" and resumed["nextRunAt"]
    listed = cdq.ok("GET", "/v2/jobs/scheduled", params={"limit": 100})["values"]
    assert created["id"] in [s["id"] for s in listed]
    assert cdq.call("DELETE", f"/v2/jobs/scheduled/{created['id']}").status_code == 204
    fault(cdq.call("GET", f"/v2/jobs/scheduled/{created['id']}"), 404, "NOT_FOUND")


def test_scheduled_job_refusals(cdq, cdq_for):
    def create(**job):
        return cdq.call("POST", "/v2/jobs/scheduled", json={"scheduledJob": {
            "cronExpression": "0 3 * * *", "type": "DATA_VALIDATION_JOB", **job}})
    assert fault(create(cronExpression="every night"), 400, "BAD_REQUEST").startswith("scheduledJob.cronExpression")
    assert fault(create(type="NO_SUCH_JOB"), 400, "BAD_REQUEST").startswith("scheduledJob.type")
    assert fault(create(organizationId="globex"), 400, "BAD_REQUEST").startswith("scheduledJob.organizationId")
    assert fault(cdq.call("POST", "/v2/jobs/scheduled", json={}), 400, "BAD_REQUEST").startswith("scheduledJob")
    mine = create().json()
    carol = cdq_for("carol")
    for method, path in (("GET", ""), ("DELETE", ""), ("POST", "/pause"), ("POST", "/resume")):
        fault(carol.call(method, f"/v2/jobs/scheduled/{mine['id']}{path}"), 404, "NOT_FOUND")
    fault(cdq.call("GET", "/v2/jobs/scheduled/no-such-schedule"), 404, "NOT_FOUND")
    assert cdq.call("DELETE", f"/v2/jobs/scheduled/{mine['id']}").status_code == 204


def test_scheduled_jobs_list_pages_by_start_after(cdq):
    made = [cdq.ok("POST", "/v2/jobs/scheduled", json={"scheduledJob": {
        "cronExpression": "0 3 * * *", "type": "DATA_VALIDATION_JOB"}})["id"] for _ in range(3)]
    seen, query = [], {"limit": 2}
    while True:
        page = cdq.ok("GET", "/v2/jobs/scheduled", params=query)
        seen += [s["id"] for s in page["values"]]
        if "nextStartAfter" not in page:
            break
        query["startAfter"] = page["nextStartAfter"]
    assert [i for i in seen if i in made] == made and len(seen) == len(set(seen))
    fault(cdq.call("GET", "/v2/jobs/scheduled", params={"startAfter": "nope"}), 400, "BAD_REQUEST")
    for schedule_id in made:
        cdq.call("DELETE", f"/v2/jobs/scheduled/{schedule_id}")
