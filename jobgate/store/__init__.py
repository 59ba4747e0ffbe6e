"""All of Redis and RQ: the connection (guarded once), key names, executions,
definitions, schedules, tokens, Lua scripts and the RQ hand-off. Nothing
outside this package imports redis or rq (workers/ excepted: it is the RQ side)."""
