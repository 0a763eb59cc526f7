"""Field Nation emulator: REST v2 (work orders and their sub-resources), OAuth tokens, webhooks v3 and a
`/_sim/` surface for acting as a technician or a buyer. State lives in memory; `create_app` builds it.

Module map: `app` wires everything; `emulator` holds state, tokens and event publishing; `state` and
`seed` are the data; `lifecycle` the status rules; `operations` the actions (shared by the REST routes and
`/_sim/`); `render` turns state into Field Nation JSON; `payloads` validates what comes in; `routes_*`,
`webhooks_api` and `sim` are the HTTP surfaces; `errors`, `auth` and `timezones` are helpers.
"""
