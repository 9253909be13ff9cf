"""mlops-audit: MLOps maturity assessment and governance audit against the CAICT MLOps guide.

Data flows rubric -> evidence -> scoring -> result -> report; each is a subpackage.
"""

__version__ = "0.1.0"

TOOL_NAME = "mlops-audit"
