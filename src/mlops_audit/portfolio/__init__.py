"""Portfolio: collect evidence from many repositories at once and roll the results up (issue 14).

One module per job: `sources` (which repositories), `fingerprint` (has a repository changed),
`task` (collect one repository: the function a worker process or a Dask worker runs), `worker` and
`slot` (a killable worker process per job slot), `runner` (local threads or Dask), `store` (the
output folder, resumable), `progress` (stderr), `rollup`/`teams`/`render` (the report), `shares`
(organisation-wide shares for an assessment).
"""
