"""Repository evidence: index a tree once, run small detectors over it, emit findings (JSON/SARIF).

Layers: `index` (listing and safe reads) -> `detectors` (pure functions, registered in `registry`)
-> `collect` (runs them, maps detectors to rubric criteria) -> `sarif` / JSON output.
"""
