"""The codebook shipped with kodeverk: the five main goals of Opptrappingsplanen for rusfeltet."""

from __future__ import annotations

import uuid
from importlib import resources

from codebooks.loader import codebook_from_data, parse_yaml
from codebooks.model import Codebook, validate

BUNDLED_FILE = "opptrappingsplanen.yaml"
# Codes of the bundled codebook get the same GUID in every project, so projects started from it
# (and their REFI-QDA exports) can be compared and merged code by code.
GUID_NAMESPACE = uuid.UUID("6b6f6476-0000-4000-8000-6f7074726170")


def bundled_codebook() -> Codebook:
    """The bundled codebook, validated."""
    text = resources.files("codebooks").joinpath(BUNDLED_FILE).read_text(encoding="utf-8")
    data = parse_yaml(text, BUNDLED_FILE)
    codebook = codebook_from_data(data, source=BUNDLED_FILE)
    for path, code in codebook.walk():
        code.guid = code.guid or str(uuid.uuid5(GUID_NAMESPACE, path))
    validate(codebook)
    return codebook
