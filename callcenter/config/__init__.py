"""Configuration: YAML with line marks, typed models, one merge of defaults, files, env and flags."""

from callcenter.config.loader import ConfigError, LoadedYaml, load_yaml, validate

__all__ = ["ConfigError", "LoadedYaml", "load_yaml", "validate"]
