"""Model use by a library's documented inference interface (session 16, conventions §8, §16.8).

A system may run a pretrained or trained model in its own process through a library whose calls
say so by their documented meaning, whatever the project names its own functions: an OpenCV DNN
network read with `cv2.dnn.readNet*` (then `net.forward()`), face encodings by face_recognition,
a spaCy pipeline from `spacy.load`, a sentence-transformers encoder, a transformers `pipeline`,
an ultralytics `YOLO`, an OCR reader, a Whisper or llama.cpp model, an ONNX Runtime session, a
TorchScript or TF SavedModel load ... The vocabulary is data (the catalogue entry
`local_model_inference`, rule "model used through a library's inference interface"); the serving
rules decide whether what runs the call is a route, a task or a scheduled job of the system.
"""

from __future__ import annotations

from mlops_audit.evidence.repo.catalogue import judged_by
from mlops_audit.evidence.repo.model import Kind

_ENTRY = judged_by(Kind.model_serving, "model used through a library's inference interface")
NEEDLES = tuple(_ENTRY.needles)
_CALLS = frozenset(_ENTRY.calls)


def library_model(name: str) -> bool:
    """Whether a resolved call name is one of the catalogue's model loads or runs (a listed call, or a
    name under one: `mediapipe.solutions.face_detection.FaceDetection`)."""
    if name in _CALLS:
        return True
    parts = name.split(".")
    return any(".".join(parts[:n]) in _CALLS for n in range(2, len(parts)))
