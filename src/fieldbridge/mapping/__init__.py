"""Field mappings, the pure core: paths, actions, Jsonnet, validation, preview, config as code.

engine = compile_mappings(load(text), "inbound")
work_order = engine.apply(autotask_ticket)
"""

from fieldbridge.mapping.catalog import Catalog
from fieldbridge.mapping.config import dump, load, load_file
from fieldbridge.mapping.defaults import default_set
from fieldbridge.mapping.engine import Document, Engine, Preview, TraceEntry, compile_mappings
from fieldbridge.mapping.errors import ConfigError, MappingError, Problem
from fieldbridge.mapping.jsonnet import JsonnetRunner
from fieldbridge.mapping.model import Direction, Mapping, MappingSet
from fieldbridge.mapping.validation import validate

__all__ = [
    "Catalog",
    "ConfigError",
    "Direction",
    "Document",
    "Engine",
    "JsonnetRunner",
    "Mapping",
    "MappingError",
    "MappingSet",
    "Preview",
    "Problem",
    "TraceEntry",
    "compile_mappings",
    "default_set",
    "dump",
    "load",
    "load_file",
    "validate",
]
