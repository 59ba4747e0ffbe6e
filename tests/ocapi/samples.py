"""Property names and types of the OCAPI job documents, from the public reference.

The samples are the public 17.2 documentation's (one step kept of six) and the
23.2 system-job sample (its `_type` typo fixed); the type tables follow the
reference's tables for job_execution, job_step_execution and status.
"""
DATETIME = "datetime"

EXECUTION_TYPES = {
    "_v": str, "_type": str, "_resource_state": str, "client_id": str, "duration": int, "end_time": DATETIME,
    "execution_scopes": list, "execution_status": str, "exit_status": dict, "id": str,
    "is_log_file_existing": bool, "is_restart": bool, "job_id": str, "log_file_name": str, "log_file_path": str,
    "modification_time": DATETIME, "parameters": list, "start_time": DATETIME, "status": str,
    "step_executions": list,
}
STEP_TYPES = {
    "_type": str, "duration": int, "end_time": DATETIME, "execution_scope": str, "execution_status": str,
    "exit_status": dict, "id": str, "include_steps_from_job_id": str, "modification_time": DATETIME,
    "start_time": DATETIME, "status": str, "step_description": str, "step_id": str, "step_type_id": str,
    "step_type_info": str,
}
STATUS_TYPES = {"_type": str, "code": str, "message": str, "status": str}
PARAMETER_TYPES = {"_type": str, "name": str, "value": str}
RESULT_TYPES = {"_v": str, "_type": str, "count": int, "data": list, "next": dict, "previous": dict,
                "start": int, "total": int}
SEARCH_RESULT_TYPES = {"_v": str, "_type": str, "count": int, "hits": list, "next": dict, "previous": dict,
                       "query": dict, "sorts": list, "start": int, "total": int}
FAULT_TYPES = {"arguments": dict, "type": str, "message": str}

GET_17_2 = {
    "_v": "17.2", "_type": "job_execution",
    "_resource_state": "ac83c2e1ff3129ed6579c5fa95f746047d7db6867dd26da78dc89d23083127a3",
    "client_id": "af7f5c90-ffc1-4ea4-9613-f5b375b7dc19", "duration": 185, "end_time": "2016-05-20T11:54:46.220Z",
    "execution_scopes": ["SiteGenesis", "SiteGenesis-US", "SiteGenesis-DE"], "execution_status": "finished",
    "exit_status": {"_type": "status", "code": "OK", "status": "ok"}, "id": "90", "is_log_file_existing": True,
    "is_restart": False, "job_id": "CustomerImportJob", "log_file_name": "Job-JobExecutionTestJob1-20160520115446018.log",
    "modification_time": "2016-05-20T11:54:46.224Z", "start_time": "2016-05-20T11:54:46.035Z", "status": "OK",
    "step_executions": [{
        "_type": "job_step_execution", "duration": 16, "end_time": "2016-05-20T11:54:46.075Z",
        "execution_scope": "Organization", "execution_status": "finished",
        "exit_status": {"_type": "status", "code": "OK", "message": "", "status": "ok"}, "id": "41265",
        "modification_time": "2016-05-20T11:54:46.075Z", "start_time": "2016-05-20T11:54:46.059Z", "status": "OK",
        "step_description": "A step that executes a pipeline that can be configured via a parameter",
        "step_id": "Step1", "step_type_id": "ExecutePipeline",
        "step_type_info": "TestScheduleJobProcessPipeline-StartEnd"}],
}
POST_23_2 = {
    "_v": "23.2", "_type": "job_execution", "client_id": "[your_own_client_id]", "execution_status": "pending",
    "id": "42", "is_log_file_existing": False, "is_restart": False, "job_id": "sfcc-site-archive-import",
    "log_file_name": "Job-sfcc-site-archive-import-20170512142357242.log",
    "modification_time": "2017-05-12T14:23:57.316Z",
    "parameters": [{"_type": "job_execution_parameter", "name": "ImportMode", "value": "merge"},
                   {"_type": "job_execution_parameter", "name": "ImportFile", "value": "siteGenesis.zip"}],
    "status": "PENDING",
}
LIST_17_2_KEYS = {"_v", "_type", "count", "data", "total"}
NOT_FOUND_17_2 = {"_v": "17.2", "fault": {"arguments": {"executionId": "90"}, "type": "JobExecutionNotFoundException",
                                          "message": "No Job execution with id '90' was found."}}
