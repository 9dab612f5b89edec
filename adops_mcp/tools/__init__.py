"""Vendor operation tables. Each vendor subpackage exposes `VENDOR`; `index` knows them all without loading them."""
