"""The adapter SDK: the app factory, the Dialect base, the blueprint base, credential
extractors, fault rendering, fields and paging helpers every dialect builds on."""
