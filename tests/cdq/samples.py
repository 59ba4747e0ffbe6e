"""The portal's documented examples (CDQ Jobs Management API (2)), as public facts to test against."""

UPDATE_RESULT_DATA = {"resultData": "{'param1': 'value1'}"}

#: the Job in Update Result Data's 200 response
JOB = {"commands": ["command"], "startedAt": "2019-09-07T00:00:00Z", "createdAt": "2020-08-31T16:47+00:00",
       "modifiedAt": "2020-08-31T16:47+00:00", "finishedAt": "2019-09-07T00:00:00Z",
       "expiresAt": "2019-09-07T00:00:00Z", "dockerImageUrl": "data-curation", "domain": "cdqag/data-curation-job",
       "environmentVariables": [{}], "id": "35f23c03-1c22-45fe-9484-3ffe769325de", "inputUri": "input-uri",
       "jobDependencies": [{}], "jobStatus": "RUNNING", "message": "The job failed because storage is empty.",
       "mainLabel": "My job.", "labels": [{}], "tags": ["tag"], "lastJobStatus": "RUNNING", "progress": "50",
       "totalItems": "100", "processedItems": "50", "failedItems": "10", "reportUri": "https://link-to-my-report",
       "resourceRequest": {"memoryLimit": 1024, "memoryRequest": 1024, "cpuLimit": 0.2, "cpuRequest": 0.1,
                           "xmxLimit": 512},
       "user": "742429-234242-4343-232323", "storageId": "72d6900fce6b326088f5d9d91049e3e6", "attachments": [{}],
       "resultData": "{'param1': 'value1'}", "metrics": [{}], "locks": [{}], "type": "DATA_CURATION_JOB",
       "volumes": [{}], "name": "Process vendor data.",
       "description": "I started this job to improve quality of our data.", "organizationId": "cdq_monitor",
       "workspaceId": "c074b9f3-abf0-4f8e-9a20-74deb6cfa2a4"}

FETCH_LAST = {"jobType": "DATA_CURATION_JOB", "storageId": "72d6900fce6b326088f5d9d91049e3e6"}

#: the JobResult in Fetch Last Processed ID's 200 response
JOB_RESULT = {"id": "5daef6fe65bafb00012901e6", "jobId": "35f23c03-1c22-45fe-9484-3ffe769325de",
              "dataSourceId": "648824a691d8d2503d65103e", "businessPartnerId": "63e635235c06b7396330fe40",
              "addressId": "address-id", "externalId": "The ID managed in the customer's SAP systems.",
              "addressExternalId": "1", "addressVersion": {"characterSet": {}, "language": {}},
              "jobType": "DATA_CURATION_JOB", "resultData": "{'param1': 'value1'}", "status": "OK",
              "message": "Missing storageId.", "countryShortName": "CH", "executedAt": "2019-09-07T00:00:00Z"}

#: List Job Run Results' response envelope (values elided on the portal)
RESULTS_PAGE_KEYS = {"startAfter", "nextStartAfter", "limit", "total", "values"}
