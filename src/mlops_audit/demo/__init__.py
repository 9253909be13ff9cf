"""The bundled demonstration: an example bank's AI team, end to end."""
