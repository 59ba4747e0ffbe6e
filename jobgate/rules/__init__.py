"""The use cases and rules: service, lifecycle, schedules, catalog and auth rules.

They speak the canonical model and the store's interface; none imports flask
or redis (the layering test in jobgate.testing checks it).
"""
