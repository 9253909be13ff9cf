"""Detector modules, one per area. They are imported explicitly by `registry.DETECTOR_MODULES`."""
