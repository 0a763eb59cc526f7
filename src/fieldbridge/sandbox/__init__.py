"""Emulators of Autotask and Field Nation, and the plumbing they share.

`server` runs an ASGI app on loopback, `faults` injects failures, `calls` counts requests, `clock` lets
webhook retry schedules run faster than real time, `webhooks` delivers signed callbacks with a retry
policy, and `control` exposes all of it under `/_sim/`.
"""
