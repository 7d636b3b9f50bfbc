"""The newsletter's admin: subscribers (and importing), sends and their delivery ledger, issues
(readiness and test send), CSV exports. Registered in newsletter/wagtail_hooks.py."""
