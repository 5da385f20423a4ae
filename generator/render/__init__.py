"""Renderers: model (+ layout) in, text or conversion jobs out. Never touch the filesystem."""
