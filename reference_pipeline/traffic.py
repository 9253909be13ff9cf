"""Simulated production traffic: seeded request routing and seeded service telemetry.

A real serving platform would report latency and failures; here they are drawn from a seeded
log-normal latency and a Bernoulli failure rate (config `service`), so runs are reproducible.
Each phase of the scenario gets its own stream of random numbers, derived from the run seed and
the phase name, so adding a phase never changes the numbers of another.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from reference_pipeline.config import ServiceSimulation


def phase_rng(seed: int, phase: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(phase.encode("utf-8"))])


@dataclass
class Telemetry:
    latency_ms: np.ndarray
    failed: np.ndarray  # bool per request

    @property
    def error_rate(self) -> float:
        return float(self.failed.mean()) if self.failed.size else 0.0

    def latency_p95(self) -> float:
        return float(np.percentile(self.latency_ms, 95)) if self.latency_ms.size else 0.0


def simulate(requests: int, service: ServiceSimulation, rng: np.random.Generator) -> Telemetry:
    latency = service.latency_median_ms * np.exp(rng.normal(0.0, service.latency_sigma, requests))
    failed = rng.random(requests) < service.error_rate
    return Telemetry(np.round(latency, 3), failed)
